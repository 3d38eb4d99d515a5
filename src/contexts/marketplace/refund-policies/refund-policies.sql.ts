import type { Sql } from "../../../platform/db/db.js";
import type { RefundPolicy } from "./refund-policy.domain.js";

/** The queries for marketplace.refund_policies. */
const COLUMNS = `policy_id AS id, name, type, refund_period_days AS "refundPeriodDays", status`;

export async function insertRefundPolicy(sql: Sql, policy: RefundPolicy, at: Date): Promise<void> {
  await sql.query(
    `INSERT INTO marketplace.refund_policies (policy_id, name, type, refund_period_days, status, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $6)`,
    [policy.id, policy.name, policy.type, policy.refundPeriodDays, policy.status, at],
  );
}

/**
 * `share` is taken when a listing attaches the policy: a concurrent deprecation (which needs the
 * row exclusively) waits, so a policy is never attached after it was deprecated.
 */
export async function lockRefundPolicy(sql: Sql, id: string, mode: "update" | "share"): Promise<RefundPolicy | null> {
  const result = await sql.query<RefundPolicy>(
    `SELECT ${COLUMNS} FROM marketplace.refund_policies WHERE policy_id = $1 FOR ${mode === "update" ? "UPDATE" : "SHARE"}`,
    [id],
  );
  return result.rows[0] ?? null;
}

export async function findRefundPolicy(sql: Sql, id: string): Promise<RefundPolicy | null> {
  const result = await sql.query<RefundPolicy>(`SELECT ${COLUMNS} FROM marketplace.refund_policies WHERE policy_id = $1`, [id]);
  return result.rows[0] ?? null;
}

export async function saveRefundPolicy(sql: Sql, policy: RefundPolicy, at: Date): Promise<void> {
  await sql.query(
    `UPDATE marketplace.refund_policies SET name = $2, type = $3, refund_period_days = $4, status = $5, updated_at = $6 WHERE policy_id = $1`,
    [policy.id, policy.name, policy.type, policy.refundPeriodDays, policy.status, at],
  );
}
