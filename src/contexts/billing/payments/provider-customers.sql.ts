import type { Sql } from "../../../platform/db/db.js";

/** Queries for billing.provider_customers and the attachment of methods on file to them, nothing else. */
export interface BuyerAtProvider {
  tenantId: string;
  buyerUserId: string;
  provider: string;
}

export async function customerOf(sql: Sql, buyer: BuyerAtProvider): Promise<string | null> {
  const result = await sql.query<{ customer_ref: string }>(
    `SELECT customer_ref FROM billing.provider_customers WHERE tenant_id = $1 AND buyer_user_id = $2 AND provider = $3`,
    [buyer.tenantId, buyer.buyerUserId, buyer.provider],
  );
  return result.rows[0]?.customer_ref ?? null;
}

/**
 * Records the buyer's Customer and returns the one on record: the first recorded stays, so two
 * workers that both created one (only possible once Stripe has forgotten the key) agree on it.
 */
export async function recordCustomer(sql: Sql, buyer: BuyerAtProvider, customerRef: string, now: Date): Promise<string> {
  const result = await sql.query<{ customer_ref: string }>(
    `WITH inserted AS (
       INSERT INTO billing.provider_customers (tenant_id, buyer_user_id, provider, customer_ref, created_at)
       VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING RETURNING customer_ref
     )
     SELECT customer_ref FROM inserted
     UNION ALL
     SELECT customer_ref FROM billing.provider_customers WHERE tenant_id = $1 AND buyer_user_id = $2 AND provider = $3
     LIMIT 1`,
    [buyer.tenantId, buyer.buyerUserId, buyer.provider, customerRef, now],
  );
  return result.rows[0]!.customer_ref;
}

/** The Customer `token` is attached to, if any row of the buyer's methods on file says so. */
export async function attachedCustomer(sql: Sql, buyer: BuyerAtProvider, token: string): Promise<string | null> {
  const result = await sql.query<{ attached_to: string }>(
    `SELECT attached_to FROM billing.methods_on_file
      WHERE tenant_id = $1 AND buyer_user_id = $2 AND provider = $3 AND token = $4 AND attached_to IS NOT NULL LIMIT 1`,
    [buyer.tenantId, buyer.buyerUserId, buyer.provider, token],
  );
  return result.rows[0]?.attached_to ?? null;
}

/** Marks `token` attached to `customerRef` on every row of the buyer's that holds it. */
export async function markAttached(sql: Sql, buyer: BuyerAtProvider, token: string, customerRef: string): Promise<void> {
  await sql.query(
    `UPDATE billing.methods_on_file SET attached_to = $5
      WHERE tenant_id = $1 AND buyer_user_id = $2 AND provider = $3 AND token = $4 AND attached_to IS DISTINCT FROM $5`,
    [buyer.tenantId, buyer.buyerUserId, buyer.provider, token, customerRef],
  );
}
