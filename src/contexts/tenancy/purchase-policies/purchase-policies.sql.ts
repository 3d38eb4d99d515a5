import type { Sql } from "../../../platform/db/db.js";
import { NO_POLICY, type CapPeriod, type PurchasePolicy } from "./purchase-policy.domain.js";

/** The queries for tenancy.purchase_policies (tenant-owned, under RLS). */
export async function savePurchasePolicy(sql: Sql, tenantId: string, policy: PurchasePolicy, at: Date): Promise<void> {
  await sql.query(
    `INSERT INTO tenancy.purchase_policies (tenant_id, allowed_currencies, cap_amount, cap_currency, cap_period, updated_at)
     VALUES ($1, $2::text[], $3, $4, $5, $6)
     ON CONFLICT (tenant_id) DO UPDATE SET allowed_currencies = EXCLUDED.allowed_currencies, cap_amount = EXCLUDED.cap_amount,
       cap_currency = EXCLUDED.cap_currency, cap_period = EXCLUDED.cap_period, updated_at = EXCLUDED.updated_at`,
    [tenantId, policy.allowedCurrencies, policy.cap?.amount ?? null, policy.cap?.currency ?? null, policy.cap?.period ?? null, at],
  );
}

/** The policy the marketplace checks when an order is placed; a tenant without one has no limits. */
export async function purchasePolicyOf(sql: Sql, tenantId: string): Promise<PurchasePolicy> {
  const result = await sql.query<{
    allowed: string[] | null;
    amount: string | number | null;
    currency: string | null;
    period: CapPeriod | null;
  }>(
    `SELECT allowed_currencies AS allowed, cap_amount AS amount, cap_currency AS currency, cap_period AS period FROM tenancy.purchase_policies WHERE tenant_id = $1`,
    [tenantId],
  );
  const row = result.rows[0];
  if (!row) return NO_POLICY;
  return {
    allowedCurrencies: row.allowed,
    cap: row.amount === null ? null : { amount: Number(row.amount), currency: row.currency!, period: row.period! },
  };
}
