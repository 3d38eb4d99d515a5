import type { Sql } from "../../../platform/db/db.js";
import type { KycStatus } from "./provider.domain.js";

/** The queries for tenancy.providers. */
export interface ProviderRow {
  providerId: string;
  tenantId: string | null;
  name: string | null;
  kycStatus: KycStatus;
}

const COLUMNS = `provider_id AS "providerId", tenant_id AS "tenantId", name, kyc_status AS "kycStatus"`;

export async function lockProvider(sql: Sql, providerId: string): Promise<ProviderRow | null> {
  const result = await sql.query<ProviderRow>(`SELECT ${COLUMNS} FROM tenancy.providers WHERE provider_id = $1 FOR UPDATE`, [providerId]);
  return result.rows[0] ?? null;
}

export async function findProvider(sql: Sql, providerId: string): Promise<ProviderRow | null> {
  const result = await sql.query<ProviderRow>(`SELECT ${COLUMNS} FROM tenancy.providers WHERE provider_id = $1`, [providerId]);
  return result.rows[0] ?? null;
}

export async function insertProvider(sql: Sql, p: { providerId: string; tenantId: string; name: string; at: Date }): Promise<void> {
  await sql.query(
    `INSERT INTO tenancy.providers (provider_id, tenant_id, name, kyc_status, created_at) VALUES ($1, $2, $3, 'pending', $4)`,
    [p.providerId, p.tenantId, p.name, p.at],
  );
}

export async function claimProvider(sql: Sql, p: { providerId: string; tenantId: string; name: string }): Promise<void> {
  await sql.query(`UPDATE tenancy.providers SET tenant_id = $2, name = $3 WHERE provider_id = $1 AND tenant_id IS NULL`, [
    p.providerId,
    p.tenantId,
    p.name,
  ]);
}

export async function saveKyc(sql: Sql, providerId: string, status: KycStatus, at: Date): Promise<void> {
  await sql.query(`UPDATE tenancy.providers SET kyc_status = $2, kyc_updated_at = $3 WHERE provider_id = $1`, [providerId, status, at]);
}

/** From the upstream event: verified, whether or not the provider was registered here yet. */
export async function upsertVerified(sql: Sql, providerId: string, at: Date): Promise<void> {
  await sql.query(
    `INSERT INTO tenancy.providers (provider_id, kyc_status, kyc_updated_at, created_at) VALUES ($1, 'verified', $2, $2)
     ON CONFLICT (provider_id) DO UPDATE SET kyc_status = 'verified', kyc_updated_at = $2 WHERE providers.kyc_status <> 'verified'`,
    [providerId, at],
  );
}
