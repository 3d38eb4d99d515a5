import type { Tx } from "../../../platform/db/db.js";
import type { EventMetadata } from "../../../platform/events/envelope.js";
import { newId } from "../../../platform/ids.js";
import type { Kernel } from "../../../platform/kernel.js";
import { unwrap } from "../../../platform/result.js";
import { refuse } from "../errors.js";
import { refundWallet } from "../wallet/refund-wallet.js";
import { decide } from "./payment-intent.domain.js";
import { insertRefundOnce, intentById, pendingRefunds, refundByKey, settleRefund, type RefundRecord } from "./payment-intents.sql.js";
import { WALLET_PROVIDER, type PaymentProviders } from "./payment-providers.js";
import { recordTransition } from "./record-transition.js";
import { recordRefundAnswer, refundRequest } from "./refund-answers.js";

export interface RefundPaymentInput {
  orderId: string;
  paymentId: string;
  amount: number;
  reason: string;
  correlationId: string;
  /** The refund key: the same (paymentId, key) refunds once. Defaults to `reason`. */
  idempotencyKey?: string;
  /** The request behind the refund (requestId, actorId, traceparent): the refund's events carry it on. */
  metadata?: EventMetadata;
}

export interface RefundResult {
  refundId: string;
  paymentId: string;
  orderId: string;
  amount: number;
  currency: string;
  /** succeeded: money is back (billing.payment.refunded.v1 written); pending: the provider confirms by webhook. */
  status: "succeeded" | "pending" | "failed";
  failureCode: string | null;
  replayed: boolean;
}

/**
 * Money movement for a refund or a saga compensation (seed 001 §10.4: marketplace decides the
 * policy, billing moves the money). Wallet payments go back to the buckets they came from at once.
 * A refund through an external provider (Stripe) is pending: the payment worker asks the provider
 * once this transaction has committed (`submissionDue` wakes it), so a refund asked for in a
 * transaction that rolls back never reaches the provider, and no transaction waits on the network.
 */
export async function refundPayment(
  kernel: Kernel,
  providers: PaymentProviders,
  tx: Tx,
  input: RefundPaymentInput,
  submissionDue: () => void,
): Promise<RefundResult> {
  const intent = await intentById(tx, input.paymentId, { lock: true });
  if (!intent) throw refuse({ code: "BILLING.PAYMENT_NOT_FOUND", field: "paymentId" });
  if (intent.orderId !== input.orderId)
    throw refuse({ code: "BILLING.PAYMENT_ORDER_MISMATCH", detail: "the payment belongs to another order", field: "orderId" });
  const key = input.idempotencyKey ?? input.reason;
  const view = (refund: RefundRecord, replayed: boolean, failureCode: string | null = null): RefundResult => ({
    refundId: refund.refundId,
    paymentId: intent.paymentId,
    orderId: intent.orderId,
    amount: refund.amount,
    currency: intent.currency,
    status: refund.status,
    failureCode,
    replayed,
  });
  const earlier = await refundByKey(tx, intent.paymentId, key);
  if (earlier) return view(earlier, true);

  // Pending refunds count against what is left, so two refunds in flight cannot exceed the payment.
  const inFlight = (await pendingRefunds(tx, intent.paymentId)).reduce((sum, refund) => sum + refund.amount, 0);
  const refundId = newId("rfd");
  unwrap(decide({ ...intent, refundedAmount: intent.refundedAmount + inFlight }, { type: "Refund", refundId, amount: input.amount }));

  const now = kernel.clock.now();
  const provider = intent.provider === WALLET_PROVIDER ? null : providers.named(intent.provider);
  const record = (await insertRefundOnce(tx, {
    refundId,
    paymentId: intent.paymentId,
    idempotencyKey: key,
    amount: input.amount,
    reason: input.reason,
    status: "pending",
    providerRef: null,
    tenantId: intent.tenantId,
    now,
    ...(provider?.external ? { submitAt: now } : {}),
  }))!;
  const trace = { metadata: { requestId: input.correlationId, ...input.metadata } };

  if (provider === null) {
    await refundWallet(kernel, tx, {
      tenantId: intent.tenantId,
      userId: intent.buyerUserId,
      currency: intent.currency,
      orderId: intent.orderId,
      amount: input.amount,
      reason: input.reason,
      idempotencyKey: `payment-refund:${refundId}`,
      context: { correlationId: intent.orderId, metadata: trace.metadata },
    });
    await settleRefund(tx, refundId, "succeeded", null);
    await recordTransition(kernel, tx, intent, { type: "Refund", refundId, amount: input.amount }, trace);
    return view({ ...record, status: "succeeded" }, false);
  }
  if (provider.external) {
    tx.afterCommit(submissionDue);
    return view(record, false);
  }
  const outcome = await provider.refund(refundRequest(intent, record));
  const answered = await recordRefundAnswer(kernel, tx, intent, record, outcome, trace);
  return view(answered, false, outcome.status === "failed" ? outcome.failureCode : null);
}
