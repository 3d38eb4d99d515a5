import type { Tx } from "../../../platform/db/db.js";
import { newId } from "../../../platform/ids.js";
import type { Kernel } from "../../../platform/kernel.js";
import { RejectionError, unwrap } from "../../../platform/result.js";
import { refundWallet } from "../wallet/refund-wallet.js";
import { decide } from "./payment-intent.js";
import { insertRefundOnce, intentById, pendingRefunds, refundByKey, settleRefund, type RefundRecord } from "./payment-intents.sql.js";
import type { PaymentProviders } from "./payment-providers.js";
import { WALLET_PROVIDER } from "./process-payment.js";
import { recordTransition } from "./record-transition.js";

export interface RefundPaymentInput {
  orderId: string;
  paymentId: string;
  amount: number;
  reason: string;
  correlationId: string;
  /** The refund key: the same (paymentId, key) refunds once. Defaults to `reason`. */
  idempotencyKey?: string;
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
 * policy, billing moves the money). Wallet payments go back to the buckets they came from.
 */
export async function refundPayment(kernel: Kernel, providers: PaymentProviders, tx: Tx, input: RefundPaymentInput): Promise<RefundResult> {
  const intent = await intentById(tx, input.paymentId, { lock: true });
  if (!intent) throw new RejectionError({ code: "BILLING.PAYMENT_NOT_FOUND", field: "paymentId" });
  if (intent.orderId !== input.orderId) throw new RejectionError({ code: "BILLING.PAYMENT_ORDER_MISMATCH", detail: "the payment belongs to another order", field: "orderId" });
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
  const record = (await insertRefundOnce(tx, { refundId, paymentId: intent.paymentId, idempotencyKey: key, amount: input.amount, reason: input.reason, status: "pending", providerRef: null, tenantId: intent.tenantId, now }))!;
  const trace = { metadata: { requestId: input.correlationId } };

  if (intent.provider === WALLET_PROVIDER) {
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

  const outcome = await providers.named(intent.provider).refund({
    paymentId: intent.paymentId,
    providerRef: intent.providerRef ?? "",
    refundId,
    amount: input.amount,
    currency: intent.currency,
    idempotencyKey: `refund:${intent.paymentId}:${key}`,
  });
  switch (outcome.status) {
    case "succeeded":
      await settleRefund(tx, refundId, "succeeded", outcome.providerRef);
      await recordTransition(kernel, tx, intent, { type: "Refund", refundId, amount: input.amount }, trace);
      return view({ ...record, status: "succeeded", providerRef: outcome.providerRef }, false);
    case "pending":
      await settleRefundRef(tx, refundId, outcome.providerRef);
      return view({ ...record, providerRef: outcome.providerRef }, false);
    case "failed":
      await settleRefund(tx, refundId, "failed", null);
      return view({ ...record, status: "failed" }, false, outcome.failureCode);
    default: {
      const unreachable: never = outcome;
      return unreachable;
    }
  }
}

async function settleRefundRef(tx: Tx, refundId: string, providerRef: string): Promise<void> {
  await tx.query(`UPDATE billing.payment_refunds SET provider_ref = $2 WHERE refund_id = $1`, [refundId, providerRef]);
}
