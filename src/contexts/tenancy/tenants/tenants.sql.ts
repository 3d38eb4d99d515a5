import type { Sql } from "../../../platform/db/db.js";
import type { TenantKind } from "./tenant.js";

/** The queries for tenancy.tenants and tenancy.members. */
export interface TenantRow {
  tenantId: string;
  name: string;
  kind: TenantKind;
  createdAt: Date;
}

export async function insertTenant(sql: Sql, tenant: { tenantId: string; name: string; kind: TenantKind; at: Date }): Promise<boolean> {
  const result = await sql.query(
    `INSERT INTO tenancy.tenants (tenant_id, name, kind, created_at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING`,
    [tenant.tenantId, tenant.name, tenant.kind, tenant.at],
  );
  return result.rowCount === 1;
}

export async function findTenant(sql: Sql, tenantId: string): Promise<TenantRow | null> {
  const result = await sql.query<TenantRow>(
    `SELECT tenant_id AS "tenantId", name, kind, created_at AS "createdAt" FROM tenancy.tenants WHERE tenant_id = $1`,
    [tenantId],
  );
  return result.rows[0] ?? null;
}

/** True when the user joined now; a second join of the same user changes nothing. */
export async function insertMember(
  sql: Sql,
  member: { tenantId: string; userId: string; email: string | null; at: Date },
): Promise<boolean> {
  const result = await sql.query(
    `INSERT INTO tenancy.members (tenant_id, user_id, email, joined_at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING`,
    [member.tenantId, member.userId, member.email, member.at],
  );
  return result.rowCount === 1;
}

/** One page of a tenant's members, in (joined_at, user_id) order, after a keyset position. */
export async function membersOf(
  sql: Sql,
  tenantId: string,
  page: { after?: { at: Date; id: string }; limit: number },
): Promise<Array<{ userId: string; email: string | null; joinedAt: Date }>> {
  const result = await sql.query<{ userId: string; email: string | null; joinedAt: Date }>(
    `SELECT user_id AS "userId", email, joined_at AS "joinedAt" FROM tenancy.members
      WHERE tenant_id = $1 AND ($2::timestamptz IS NULL OR (joined_at, user_id) > ($2::timestamptz, $3::text))
      ORDER BY joined_at, user_id LIMIT $4`,
    [tenantId, page.after?.at ?? null, page.after?.id ?? null, page.limit],
  );
  return result.rows.map((row) => ({ ...row, joinedAt: new Date(row.joinedAt) }));
}

export async function isMember(sql: Sql, tenantId: string, userId: string): Promise<boolean> {
  const result = await sql.query(`SELECT 1 FROM tenancy.members WHERE tenant_id = $1 AND user_id = $2`, [tenantId, userId]);
  return result.rows.length > 0;
}

/** The tenants a user belongs to (optionally only one), for other contexts through a port. */
export async function tenantsOfMember(sql: Sql, userId: string, onlyTenantId?: string): Promise<string[]> {
  const result = await sql.query<{ tenant_id: string }>(
    `SELECT tenant_id FROM tenancy.members WHERE user_id = $1 AND ($2::text IS NULL OR tenant_id = $2)`,
    [userId, onlyTenantId ?? null],
  );
  return result.rows.map((row) => row.tenant_id);
}
