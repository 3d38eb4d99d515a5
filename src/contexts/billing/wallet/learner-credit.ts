import type { Sql } from "../../../platform/db/db.js";

/**
 * Learner credit (seed 003 subsidy): the user's largest positive wallet balance in a tenant, summed
 * over buckets per currency, or null when they hold none. A read for other contexts' ports.
 */
export async function learnerCreditOf(sql: Sql, tenantId: string, userId: string): Promise<{ currency: string; balance: number } | null> {
  const result = await sql.query<{ currency: string; balance: string | number }>(
    `SELECT currency, sum(balance) AS balance FROM billing.wallet_balances
      WHERE tenant_id = $1 AND user_id = $2 GROUP BY currency HAVING sum(balance) > 0 ORDER BY sum(balance) DESC, currency LIMIT 1`,
    [tenantId, userId],
  );
  const row = result.rows[0];
  return row ? { currency: row.currency, balance: Number(row.balance) } : null;
}
