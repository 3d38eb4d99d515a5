import type { Sql } from "../../../platform/db/db.js";
import type { RevenueSplit } from "../revenue/revenue-share.domain.js";
import type { RefundLinePlan } from "./refund.domain.js";

export type RefundStatus = "refund_pending" | "refunded" | "failed";

export interface RefundRow {
  refundId: string;
  orderId: string;
  tenantId: string;
  requestedBy: string;
  reason: string;
  status: RefundStatus;
  partial: boolean;
  amount: number;
  currency: string;
  seatsRefunded: number | null;
  billingRefundId: string | null;
  failure: string | null;
}

const COLUMNS = `refund_id AS "refundId", order_id AS "orderId", tenant_id AS "tenantId", requested_by AS "requestedBy", reason, status, partial,
  amount, currency, seats_refunded AS "seatsRefunded", billing_refund_id AS "billingRefundId", failure`;

const trimmed = (row: RefundRow | undefined): RefundRow | null =>
  row ? { ...row, amount: Number(row.amount), currency: row.currency.trim() } : null;

export async function insertRefund(
  sql: Sql,
  refund: Omit<RefundRow, "status" | "billingRefundId" | "failure">,
  lines: readonly RefundLinePlan[],
  at: Date,
): Promise<void> {
  await sql.query(
    `INSERT INTO marketplace.refunds (refund_id, order_id, tenant_id, requested_by, reason, status, partial, amount, currency, seats_refunded, requested_at, updated_at)
     VALUES ($1, $2, $3, $4, $5, 'refund_pending', $6, $7, $8, $9, $10, $10)`,
    [
      refund.refundId,
      refund.orderId,
      refund.tenantId,
      refund.requestedBy,
      refund.reason,
      refund.partial,
      refund.amount,
      refund.currency,
      refund.seatsRefunded,
      at,
    ],
  );
  await sql.query(
    `INSERT INTO marketplace.refund_lines (refund_id, tenant_id, line, license_id, kind, seats_refunded, amount, revokes_license, reversal_gross, reversal_fee, reversal_provider)
     SELECT $1, $3, l.line, l.license_id, l.kind, l.seats_refunded, l.amount, l.revokes_license, l.reversal_gross, l.reversal_fee, l.reversal_provider
       FROM jsonb_to_recordset($2::jsonb) AS l(line int, license_id text, kind text, seats_refunded int, amount bigint, revokes_license boolean,
            reversal_gross bigint, reversal_fee bigint, reversal_provider bigint)`,
    [
      refund.refundId,
      JSON.stringify(
        lines.map((l) => ({
          line: l.line,
          license_id: l.licenseId,
          kind: l.kind,
          seats_refunded: l.seatsRefunded,
          amount: l.amount,
          revokes_license: l.revokesLicense,
          reversal_gross: l.reversal.gross,
          reversal_fee: l.reversal.platformFee,
          reversal_provider: l.reversal.providerAmount,
        })),
      ),
      refund.tenantId,
    ],
  );
}

export async function findRefund(sql: Sql, refundId: string): Promise<RefundRow | null> {
  const result = await sql.query<RefundRow>(`SELECT ${COLUMNS} FROM marketplace.refunds WHERE refund_id = $1`, [refundId]);
  return trimmed(result.rows[0]);
}

/** The order's refund that counts (pending or done); a failed one leaves room for a new request. */
export async function activeRefundOfOrder(sql: Sql, orderId: string): Promise<RefundRow | null> {
  const result = await sql.query<RefundRow>(`SELECT ${COLUMNS} FROM marketplace.refunds WHERE order_id = $1 AND status <> 'failed'`, [
    orderId,
  ]);
  return trimmed(result.rows[0]);
}

export async function pendingRefundByBillingRefund(sql: Sql, orderId: string, billingRefundId: string): Promise<RefundRow | null> {
  const result = await sql.query<RefundRow>(
    `SELECT ${COLUMNS} FROM marketplace.refunds WHERE order_id = $1 AND status = 'refund_pending' AND (billing_refund_id = $2 OR billing_refund_id IS NULL)`,
    [orderId, billingRefundId],
  );
  return trimmed(result.rows[0]);
}

/** Whether billing's refund is one of marketplace's own refunds (or one being asked for now). */
export async function isMarketplaceRefund(sql: Sql, orderId: string, billingRefundId: string): Promise<boolean> {
  const result = await sql.query(
    `SELECT 1 FROM marketplace.refunds WHERE order_id = $1 AND (billing_refund_id = $2 OR (status = 'refund_pending' AND billing_refund_id IS NULL))`,
    [orderId, billingRefundId],
  );
  return result.rows.length > 0;
}

export interface RefundLineRow {
  line: number;
  licenseId: string | null;
  kind: string;
  seatsRefunded: number | null;
  amount: number;
  revokesLicense: boolean;
  reversal: RevenueSplit;
}

export async function refundLines(sql: Sql, refundId: string): Promise<RefundLineRow[]> {
  const result = await sql.query<{
    line: number;
    licenseId: string | null;
    kind: string;
    seatsRefunded: number | null;
    amount: string | number;
    revokesLicense: boolean;
    gross: string | number;
    fee: string | number;
    provider: string | number;
  }>(
    `SELECT line, license_id AS "licenseId", kind, seats_refunded AS "seatsRefunded", amount, revokes_license AS "revokesLicense",
            reversal_gross AS gross, reversal_fee AS fee, reversal_provider AS provider
       FROM marketplace.refund_lines WHERE refund_id = $1 ORDER BY line`,
    [refundId],
  );
  return result.rows.map((r) => ({
    line: r.line,
    licenseId: r.licenseId,
    kind: r.kind,
    seatsRefunded: r.seatsRefunded,
    amount: Number(r.amount),
    revokesLicense: r.revokesLicense,
    reversal: { gross: Number(r.gross), platformFee: Number(r.fee), providerAmount: Number(r.provider) },
  }));
}

export async function settleRefundRow(
  sql: Sql,
  refundId: string,
  change: { status?: RefundStatus; billingRefundId?: string | null; failure?: string | null },
  at: Date,
): Promise<void> {
  await sql.query(
    `UPDATE marketplace.refunds SET status = COALESCE($2, status), billing_refund_id = COALESCE($3, billing_refund_id), failure = COALESCE($4, failure), updated_at = $5
      WHERE refund_id = $1`,
    [refundId, change.status ?? null, change.billingRefundId ?? null, change.failure ?? null, at],
  );
}

/** Seats go back to the seat pool of a license (compensation of a refund billing refused). */
export async function takeSeats(sql: Sql, licenseId: string, seats: number, at: Date): Promise<void> {
  await sql.query(`UPDATE marketplace.licenses SET seat_total = seat_total - $2, updated_at = $3 WHERE license_id = $1`, [
    licenseId,
    seats,
    at,
  ]);
}

export async function returnSeats(sql: Sql, licenseId: string, seats: number, at: Date): Promise<void> {
  await sql.query(`UPDATE marketplace.licenses SET seat_total = seat_total + $2, updated_at = $3 WHERE license_id = $1`, [
    licenseId,
    seats,
    at,
  ]);
}

/** Revokes exactly these licenses; returns the ones this call revoked. */
export async function revokeLicenses(sql: Sql, licenseIds: readonly string[], reason: string, at: Date): Promise<string[]> {
  if (licenseIds.length === 0) return [];
  const result = await sql.query<{ license_id: string }>(
    `UPDATE marketplace.licenses SET state = 'revoked', revoked_reason = $2, updated_at = $3
      WHERE license_id = ANY($1::text[]) AND state <> 'revoked' RETURNING license_id`,
    [licenseIds, reason, at],
  );
  return result.rows.map((r) => r.license_id);
}

/** The refund's own moves of the order's status (the purchase saga never leaves fulfilled/failed). */
export async function setOrderStatus(
  sql: Sql,
  orderId: string,
  status: "fulfilled" | "refund_pending" | "refunded",
  at: Date,
): Promise<void> {
  await sql.query(`UPDATE marketplace.orders SET status = $2, updated_at = $3 WHERE order_id = $1`, [orderId, status, at]);
}

export interface LockedLicense {
  licenseId: string;
  line: number;
  kind: string;
  state: string;
  seatTotal: number | null;
  seatsAssigned: number;
}

/**
 * The order's licenses under their row locks (by line, the same order every time): a seat
 * assignment's conditional update on the same row waits for this refund, or this refund waits for it.
 */
export async function lockLicensesOfOrder(sql: Sql, orderId: string): Promise<LockedLicense[]> {
  const result = await sql.query<LockedLicense>(
    `SELECT license_id AS "licenseId", line, kind, state, seat_total AS "seatTotal", seats_assigned AS "seatsAssigned"
       FROM marketplace.licenses WHERE order_id = $1 ORDER BY line FOR UPDATE`,
    [orderId],
  );
  return result.rows;
}

export interface SaleEntry extends RevenueSplit {
  line: number;
  providerId: string;
  maturesAt: Date | null;
  paid: boolean;
}

export async function saleEntriesOfOrder(sql: Sql, orderId: string): Promise<Map<number, SaleEntry>> {
  const result = await sql.query<{
    line: number;
    providerId: string;
    gross: string | number;
    fee: string | number;
    provider: string | number;
    maturesAt: Date | null;
    payoutId: string | null;
  }>(
    `SELECT line, provider_id AS "providerId", gross, platform_fee AS fee, provider_amount AS provider, matures_at AS "maturesAt", payout_id AS "payoutId"
       FROM marketplace.earnings WHERE order_id = $1 AND kind = 'sale' AND period = 0`,
    [orderId],
  );
  return new Map(
    result.rows.map((r) => [
      r.line,
      {
        line: r.line,
        providerId: r.providerId,
        gross: Number(r.gross),
        platformFee: Number(r.fee),
        providerAmount: Number(r.provider),
        maturesAt: r.maturesAt,
        paid: r.payoutId !== null,
      },
    ]),
  );
}
