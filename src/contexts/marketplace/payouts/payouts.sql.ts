import type { Sql } from "../../../platform/db/db.js";
import type { PayoutSchedule, UnpaidEntry } from "./payout.domain.js";

export interface PayoutRunRow {
  payoutRunId: string;
  schedule: PayoutSchedule;
  periodStart: Date;
  periodEnd: Date;
  minimumAmount: number;
  result: unknown;
}

/** Claims the period: the first run inserts, a concurrent or later one gets null (and reads the first). */
export async function claimRun(
  sql: Sql,
  run: { payoutRunId: string; schedule: PayoutSchedule; periodStart: Date; periodEnd: Date; minimumAmount: number; createdBy: string },
  at: Date,
): Promise<boolean> {
  const result = await sql.query(
    `INSERT INTO marketplace.payout_runs (payout_run_id, schedule, period_start, period_end, minimum_amount, created_by, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (schedule, period_end) DO NOTHING`,
    [run.payoutRunId, run.schedule, run.periodStart, run.periodEnd, run.minimumAmount, run.createdBy, at],
  );
  return result.rowCount === 1;
}

export async function runOfPeriod(sql: Sql, schedule: PayoutSchedule, periodEnd: Date): Promise<PayoutRunRow | null> {
  const result = await sql.query<PayoutRunRow>(
    `SELECT payout_run_id AS "payoutRunId", schedule, period_start AS "periodStart", period_end AS "periodEnd", minimum_amount AS "minimumAmount", result
       FROM marketplace.payout_runs WHERE schedule = $1 AND period_end = $2`,
    [schedule, periodEnd],
  );
  return result.rows[0] ?? null;
}

export async function saveRunResult(sql: Sql, payoutRunId: string, result: unknown): Promise<void> {
  await sql.query(`UPDATE marketplace.payout_runs SET result = $2 WHERE payout_run_id = $1`, [payoutRunId, JSON.stringify(result)]);
}

/**
 * Matured, unpaid entries under row locks: a refund's reversal inserted meanwhile is not among them
 * and waits for the next run, so what a batch says is exactly what it marks.
 */
export async function lockUnpaidMatured(sql: Sql, periodEnd: Date): Promise<UnpaidEntry[]> {
  const result = await sql.query<{
    entryId: string;
    providerId: string;
    currency: string;
    orderId: string;
    providerAmount: string | number;
  }>(
    `SELECT entry_id AS "entryId", provider_id AS "providerId", currency, order_id AS "orderId", provider_amount AS "providerAmount"
       FROM marketplace.earnings WHERE payout_id IS NULL AND (matures_at IS NULL OR matures_at <= $1) ORDER BY entry_id FOR UPDATE`,
    [periodEnd],
  );
  return result.rows.map((r) => ({ ...r, currency: r.currency.trim(), providerAmount: Number(r.providerAmount) }));
}

export async function verifiedProviders(sql: Sql, providerIds: readonly string[]): Promise<Set<string>> {
  const result = await sql.query<{ provider_id: string }>(
    `SELECT provider_id FROM marketplace.provider_kyc WHERE provider_id = ANY($1::text[]) AND status = 'verified'`,
    [providerIds],
  );
  return new Set(result.rows.map((r) => r.provider_id));
}

export async function insertBatch(
  sql: Sql,
  batch: {
    batchId: string;
    payoutRunId: string;
    providerId: string;
    currency: string;
    amount: number;
    lines: ReadonlyArray<{ orderId: string; amount: number }>;
    entryIds: readonly string[];
  },
  at: Date,
): Promise<void> {
  await sql.query(
    `INSERT INTO marketplace.payout_batches (batch_id, payout_run_id, provider_id, currency, amount, status, created_at, updated_at)
     VALUES ($1, $2, $3, $4, $5, 'recorded', $6, $6)`,
    [batch.batchId, batch.payoutRunId, batch.providerId, batch.currency, batch.amount, at],
  );
  await sql.query(
    `INSERT INTO marketplace.payout_lines (batch_id, order_id, amount) SELECT $1, l.order_id, l.amount FROM jsonb_to_recordset($2::jsonb) AS l(order_id text, amount bigint)`,
    [batch.batchId, JSON.stringify(batch.lines.map((l) => ({ order_id: l.orderId, amount: l.amount })))],
  );
  const marked = await sql.query(`UPDATE marketplace.earnings SET payout_id = $1 WHERE entry_id = ANY($2::text[]) AND payout_id IS NULL`, [
    batch.batchId,
    batch.entryIds,
  ]);
  if (marked.rowCount !== batch.entryIds.length)
    throw new Error(`payout batch ${batch.batchId}: ${marked.rowCount} of ${batch.entryIds.length} entries marked`);
}

export async function settleBatch(
  sql: Sql,
  batchId: string,
  change: { status: "recorded" | "transferred" | "transfer_failed"; reference?: string; failure?: string },
  at: Date,
): Promise<void> {
  await sql.query(
    `UPDATE marketplace.payout_batches SET status = $2, transfer_ref = $3, failure = $4, updated_at = $5 WHERE batch_id = $1`,
    [batchId, change.status, change.reference ?? null, change.failure ?? null, at],
  );
}

export interface EarningsBalance {
  currency: string;
  pending: number;
  matured: number;
  paid: number;
}

/** A provider's ledger, per currency: not matured yet, matured and unpaid, paid out (all net of reversals). */
export async function earningsOf(sql: Sql, providerId: string, now: Date): Promise<EarningsBalance[]> {
  const result = await sql.query<{ currency: string; pending: string | number; matured: string | number; paid: string | number }>(
    `SELECT currency,
            COALESCE(sum(provider_amount) FILTER (WHERE payout_id IS NULL AND matures_at > $2), 0)::bigint AS pending,
            COALESCE(sum(provider_amount) FILTER (WHERE payout_id IS NULL AND (matures_at IS NULL OR matures_at <= $2)), 0)::bigint AS matured,
            COALESCE(sum(provider_amount) FILTER (WHERE payout_id IS NOT NULL), 0)::bigint AS paid
       FROM marketplace.earnings WHERE provider_id = $1 GROUP BY currency ORDER BY currency`,
    [providerId, now],
  );
  return result.rows.map((r) => ({
    currency: r.currency.trim(),
    pending: Number(r.pending),
    matured: Number(r.matured),
    paid: Number(r.paid),
  }));
}
