import type { Sql, Tx, Write } from "../../../platform/db/db.js";
import { sqlText } from "../../../platform/db/sql-text.js";
import { runWrite } from "../../../platform/db/transaction.js";
import type { EventMetadata } from "../../../platform/events/envelope.js";
import type { IntentStatus, PaymentIntent, PaymentMethodKind } from "./payment-intent.domain.js";

/** Queries for billing.payment_intents, payment_refunds and payment_deadlines, nothing else. */
interface IntentRow {
  payment_id: string;
  order_id: string;
  tenant_id: string;
  buyer_user_id: string;
  amount: number | string;
  currency: string;
  method: PaymentMethodKind;
  provider: string;
  provider_ref: string | null;
  status: IntentStatus;
  refunded_amount: number | string;
  failure_code: string | null;
  failure_message: string | null;
}

const toIntent = (row: IntentRow): PaymentIntent => ({
  paymentId: row.payment_id,
  orderId: row.order_id,
  tenantId: row.tenant_id,
  buyerUserId: row.buyer_user_id,
  amount: Number(row.amount),
  currency: row.currency,
  method: row.method,
  provider: row.provider,
  providerRef: row.provider_ref,
  status: row.status,
  refundedAmount: Number(row.refunded_amount),
  failureCode: row.failure_code,
  failureMessage: row.failure_message,
});

export type NewIntent = Pick<
  PaymentIntent,
  "paymentId" | "orderId" | "tenantId" | "buyerUserId" | "amount" | "currency" | "method" | "provider"
> & {
  idempotencyKey: string;
  requestCorrelationId: string;
  /** The asking request's metadata, for the events written later without it (the worker, a webhook). */
  requestMetadata: EventMetadata;
  now: Date;
};

const INSERT_INTENT = `INSERT INTO billing.payment_intents
    (payment_id, tenant_id, order_id, buyer_user_id, amount, currency, method, provider, status, idempotency_key, request_correlation_id, created_at, updated_at, request_metadata)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'requires_payment', $9, $10, $11, $11, $12::jsonb)`;
const intentParams = (intent: NewIntent) => [
  intent.paymentId,
  intent.tenantId,
  intent.orderId,
  intent.buyerUserId,
  intent.amount,
  intent.currency,
  intent.method,
  intent.provider,
  intent.idempotencyKey,
  intent.requestCorrelationId,
  intent.now,
  JSON.stringify(intent.requestMetadata),
];

/**
 * Claims the order: returns the new intent, or null when the order already has one. Under
 * concurrency the second insert waits on the unique index for the first to commit, then does nothing.
 */
export async function insertIntentOnce(sql: Sql, intent: NewIntent): Promise<PaymentIntent | null> {
  const result = await sql.query<IntentRow>(`${INSERT_INTENT} ON CONFLICT (order_id) DO NOTHING RETURNING *`, intentParams(intent));
  return result.rows[0] ? toIntent(result.rows[0]) : null;
}

/**
 * The intent of an order placed in this transaction, which cannot have one yet: sent without
 * waiting. Were there one after all, the unique index would fail the transaction, never charge twice.
 */
export function sendNewIntent(tx: Tx, intent: NewIntent): PaymentIntent {
  tx.send(INSERT_INTENT, intentParams(intent));
  return {
    paymentId: intent.paymentId,
    orderId: intent.orderId,
    tenantId: intent.tenantId,
    buyerUserId: intent.buyerUserId,
    amount: intent.amount,
    currency: intent.currency,
    method: intent.method,
    provider: intent.provider,
    providerRef: null,
    status: "requires_payment",
    refundedAmount: 0,
    failureCode: null,
    failureMessage: null,
  };
}

export async function intentByOrder(sql: Sql, orderId: string, options: { lock?: boolean } = {}): Promise<PaymentIntent | null> {
  const result = await sql.query<IntentRow>(
    `SELECT * FROM billing.payment_intents WHERE order_id = $1${options.lock ? " FOR UPDATE" : ""}`,
    [orderId],
  );
  return result.rows[0] ? toIntent(result.rows[0]) : null;
}

export async function intentById(sql: Sql, paymentId: string, options: { lock?: boolean } = {}): Promise<PaymentIntent | null> {
  const result = await sql.query<IntentRow>(
    `SELECT * FROM billing.payment_intents WHERE payment_id = $1${options.lock ? " FOR UPDATE" : ""}`,
    [paymentId],
  );
  return result.rows[0] ? toIntent(result.rows[0]) : null;
}

export async function intentByProviderRef(sql: Sql, provider: string, providerRef: string): Promise<PaymentIntent | null> {
  const result = await sql.query<IntentRow>(`SELECT * FROM billing.payment_intents WHERE provider = $1 AND provider_ref = $2 FOR UPDATE`, [
    provider,
    providerRef,
  ]);
  return result.rows[0] ? toIntent(result.rows[0]) : null;
}

/** The intent, with the request that created it (for the metadata of events the worker writes later). */
export async function intentWithRequest(
  sql: Sql,
  paymentId: string,
): Promise<{
  intent: PaymentIntent;
  idempotencyKey: string | null;
  requestId: string | null;
  requestMetadata: EventMetadata;
  createdAt: Date;
} | null> {
  const result = await sql.query<
    IntentRow & { idempotency_key: string | null; request_correlation_id: string | null; request_metadata: EventMetadata; created_at: Date }
  >(`SELECT * FROM billing.payment_intents WHERE payment_id = $1`, [paymentId]);
  const row = result.rows[0];
  return row
    ? {
        intent: toIntent(row),
        idempotencyKey: row.idempotency_key,
        requestId: row.request_correlation_id,
        requestMetadata: row.request_metadata ?? {},
        createdAt: new Date(row.created_at),
      }
    : null;
}

export async function saveIntent(sql: Sql, intent: PaymentIntent, now: Date): Promise<void> {
  await runWrite(sql, intentWrite(intent, now));
}

/** The same save as a write for the transaction's pre-commit statement (`tx.later`). */
export function intentWrite(intent: PaymentIntent, now: Date): Write {
  return {
    ctes: [
      sqlText`UPDATE billing.payment_intents
          SET status = ${intent.status}::text, provider_ref = ${intent.providerRef}::text, refunded_amount = ${intent.refundedAmount}::bigint,
              failure_code = ${intent.failureCode}::text, failure_message = ${intent.failureMessage}::text, updated_at = ${now}::timestamptz
        WHERE payment_id = ${intent.paymentId}::text`,
    ],
  };
}

// ── refunds ──────────────────────────────────────────────────────────────────────────────────────

export interface RefundRecord {
  refundId: string;
  paymentId: string;
  idempotencyKey: string;
  amount: number;
  reason: string;
  status: "pending" | "succeeded" | "failed";
  providerRef: string | null;
}

interface RefundRow {
  refund_id: string;
  payment_id: string;
  idempotency_key: string;
  amount: number | string;
  reason: string;
  status: RefundRecord["status"];
  provider_ref: string | null;
}

const toRefund = (row: RefundRow): RefundRecord => ({
  refundId: row.refund_id,
  paymentId: row.payment_id,
  idempotencyKey: row.idempotency_key,
  amount: Number(row.amount),
  reason: row.reason,
  status: row.status,
  providerRef: row.provider_ref,
});

/**
 * Claims (payment, refund key): null when that refund was already requested. `submitAt`: an external
 * provider still has to be asked, by the payment worker, from then on.
 */
export async function insertRefundOnce(
  sql: Sql,
  refund: RefundRecord & { tenantId: string; now: Date; submitAt?: Date },
): Promise<RefundRecord | null> {
  const result = await sql.query<RefundRow>(
    `INSERT INTO billing.payment_refunds (refund_id, tenant_id, payment_id, idempotency_key, amount, reason, status, provider_ref, created_at, submit_due_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
     ON CONFLICT (payment_id, idempotency_key) DO NOTHING
     RETURNING *`,
    [
      refund.refundId,
      refund.tenantId,
      refund.paymentId,
      refund.idempotencyKey,
      refund.amount,
      refund.reason,
      refund.status,
      refund.providerRef,
      refund.now,
      refund.submitAt ?? null,
    ],
  );
  return result.rows[0] ? toRefund(result.rows[0]) : null;
}

export async function refundByKey(sql: Sql, paymentId: string, idempotencyKey: string): Promise<RefundRecord | null> {
  const result = await sql.query<RefundRow>(`SELECT * FROM billing.payment_refunds WHERE payment_id = $1 AND idempotency_key = $2`, [
    paymentId,
    idempotencyKey,
  ]);
  return result.rows[0] ? toRefund(result.rows[0]) : null;
}

export async function refundByProviderRef(sql: Sql, paymentId: string, providerRef: string): Promise<RefundRecord | null> {
  const result = await sql.query<RefundRow>(
    `SELECT * FROM billing.payment_refunds WHERE payment_id = $1 AND provider_ref = $2 FOR UPDATE`,
    [paymentId, providerRef],
  );
  return result.rows[0] ? toRefund(result.rows[0]) : null;
}

export async function refundsOf(sql: Sql, paymentId: string): Promise<RefundRecord[]> {
  const result = await sql.query<RefundRow>(`SELECT * FROM billing.payment_refunds WHERE payment_id = $1 ORDER BY created_at, refund_id`, [
    paymentId,
  ]);
  return result.rows.map(toRefund);
}

/** Pending refunds, locked, oldest first; `sentOnly`: only those the provider may already have. */
export async function pendingRefunds(sql: Sql, paymentId: string, options: { sentOnly?: boolean } = {}): Promise<RefundRecord[]> {
  const sent = options.sentOnly ? " AND sent_at IS NOT NULL" : "";
  const result = await sql.query<RefundRow>(
    `SELECT * FROM billing.payment_refunds WHERE payment_id = $1 AND status = 'pending'${sent} ORDER BY created_at FOR UPDATE`,
    [paymentId],
  );
  return result.rows.map(toRefund);
}

/** A settled refund is never submitted (a charge.refunded webhook can settle one not yet sent). */
export async function settleRefund(sql: Sql, refundId: string, status: "succeeded" | "failed", providerRef: string | null): Promise<void> {
  await sql.query(
    `UPDATE billing.payment_refunds SET status = $2, provider_ref = COALESCE($3, provider_ref), submit_due_at = NULL WHERE refund_id = $1`,
    [refundId, status, providerRef],
  );
}

/** The provider took the refund and will confirm it by webhook: nothing more to submit. */
export async function refundAccepted(sql: Sql, refundId: string, providerRef: string): Promise<void> {
  await sql.query(`UPDATE billing.payment_refunds SET provider_ref = $2, submit_due_at = NULL WHERE refund_id = $1`, [
    refundId,
    providerRef,
  ]);
}

/** Refunds whose provider is due to be asked (ids only; each is leased before its call). */
export async function dueRefundSubmissions(sql: Sql, now: Date, limit: number): Promise<string[]> {
  const result = await sql.query<{ refund_id: string }>(
    `SELECT refund_id FROM billing.payment_refunds WHERE submit_due_at <= $1 AND status = 'pending' ORDER BY submit_due_at LIMIT $2`,
    [now, limit],
  );
  return result.rows.map((row) => row.refund_id);
}

/**
 * Takes a due refund submission for one caller: moves it to `leaseUntil` only if it is still due and
 * pending, so of two passes that found it due, one gets it and the other nothing. The first lease
 * marks the refund sent (`firstSentAt`): from then on the provider may have it.
 */
export async function leaseRefundSubmission(
  sql: Sql,
  refundId: string,
  now: Date,
  leaseUntil: Date,
): Promise<{ refund: RefundRecord; firstSentAt: Date } | null> {
  const result = await sql.query<RefundRow & { sent_at: Date }>(
    `UPDATE billing.payment_refunds SET submit_due_at = $3, sent_at = COALESCE(sent_at, $2)
      WHERE refund_id = $1 AND submit_due_at <= $2 AND status = 'pending' RETURNING *`,
    [refundId, now, leaseUntil],
  );
  const row = result.rows[0];
  return row ? { refund: toRefund(row), firstSentAt: new Date(row.sent_at) } : null;
}

/** No more submitting: the refund stays pending (for an operator, or a webhook). */
export async function stopRefundSubmission(sql: Sql, refundId: string): Promise<void> {
  await sql.query(`UPDATE billing.payment_refunds SET submit_due_at = NULL WHERE refund_id = $1`, [refundId]);
}

/** Moves a refund submission on (a settled one, whose time is cleared, stays settled). */
export async function postponeRefundSubmission(sql: Sql, refundId: string, dueAt: Date): Promise<void> {
  await sql.query(`UPDATE billing.payment_refunds SET submit_due_at = $2 WHERE refund_id = $1 AND submit_due_at IS NOT NULL`, [
    refundId,
    dueAt,
  ]);
}

export async function refundById(sql: Sql, refundId: string, options: { lock?: boolean } = {}): Promise<RefundRecord | null> {
  const result = await sql.query<RefundRow>(
    `SELECT * FROM billing.payment_refunds WHERE refund_id = $1${options.lock ? " FOR UPDATE" : ""}`,
    [refundId],
  );
  return result.rows[0] ? toRefund(result.rows[0]) : null;
}

// ── deadlines ────────────────────────────────────────────────────────────────────────────────────

/**
 * Asks the worker to call the provider at `dueAt`. With `cardToken` the intent still has to be
 * submitted (an external provider, after the creating transaction committed); without, it is a
 * check on an intent the provider already has.
 */
export async function scheduleCheck(
  sql: Sql,
  paymentId: string,
  tenantId: string,
  dueAt: Date,
  cardToken: string | null = null,
  cardUse: CardUse | null = null,
): Promise<void> {
  await sql.query(
    `INSERT INTO billing.payment_deadlines (payment_id, tenant_id, due_at, card_token, card_use) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (payment_id) DO UPDATE SET due_at = EXCLUDED.due_at, card_token = EXCLUDED.card_token, card_use = EXCLUDED.card_use`,
    [paymentId, tenantId, dueAt, cardToken, cardUse],
  );
}

/** How a card submission is sent (migration 0206): kept for later with the first payment, or charged without the buyer. */
export type CardUse = "save" | "off_session";

export interface DueCheck {
  paymentId: string;
  /** Set while the intent is still to be submitted (see `scheduleCheck`). */
  cardToken: string | null;
}

/**
 * Takes a due submission for one caller: moves its deadline to `leaseUntil` only if it is still due,
 * so of two passes that found it due, one gets the token and the other nothing.
 */
export async function leaseSubmission(
  sql: Sql,
  paymentId: string,
  now: Date,
  leaseUntil: Date,
): Promise<{ cardToken: string; cardUse: CardUse | null } | null> {
  const result = await sql.query<{ card_token: string; card_use: CardUse | null }>(
    `UPDATE billing.payment_deadlines SET due_at = $3 WHERE payment_id = $1 AND due_at <= $2 AND card_token IS NOT NULL RETURNING card_token, card_use`,
    [paymentId, now, leaseUntil],
  );
  const row = result.rows[0];
  return row ? { cardToken: row.card_token, cardUse: row.card_use } : null;
}

/** Moves an existing row's deadline (a row already deleted by whoever recorded an answer stays gone). */
export async function postponeCheck(sql: Sql, paymentId: string, dueAt: Date): Promise<void> {
  await sql.query(`UPDATE billing.payment_deadlines SET due_at = $2 WHERE payment_id = $1`, [paymentId, dueAt]);
}

/** Due rows, locked; SKIP LOCKED lets several processes share the work without waiting on each other. */
export async function claimDueChecks(sql: Sql, now: Date, limit: number): Promise<DueCheck[]> {
  const result = await sql.query<{ payment_id: string; card_token: string | null }>(
    `SELECT payment_id, card_token FROM billing.payment_deadlines WHERE due_at <= $1 ORDER BY due_at LIMIT $2 FOR UPDATE SKIP LOCKED`,
    [now, limit],
  );
  return result.rows.map((row) => ({ paymentId: row.payment_id, cardToken: row.card_token }));
}

export async function clearCheck(sql: Sql, paymentId: string): Promise<void> {
  await sql.query(`DELETE FROM billing.payment_deadlines WHERE payment_id = $1`, [paymentId]);
}
