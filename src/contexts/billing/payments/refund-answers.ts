import type { Tx } from "../../../platform/db/db.js";
import type { EventMetadata } from "../../../platform/events/envelope.js";
import type { Kernel } from "../../../platform/kernel.js";
import type { PaymentIntent } from "./payment-intent.domain.js";
import { refundAccepted, settleRefund, type RefundRecord } from "./payment-intents.sql.js";
import type { ProviderRefundOutcome, ProviderRefundRequest } from "./payment-provider.js";
import { recordTransition } from "./record-transition.js";

// What asking a provider for a refund and recording its answer take, shared by the refund use case
// (a provider that answers at once) and the payment worker's refund submission (one that answers
// later): a leaf both import, so the worker does not reach through the refund use case.

/**
 * The provider request for a refund. Its idempotency key comes from the refund key, not the refund
 * id, so the same refund asked again (after a lost answer, or by a caller whose first transaction
 * rolled back) gets the provider's first refund back.
 */
export function refundRequest(intent: PaymentIntent, refund: RefundRecord): ProviderRefundRequest {
  return {
    paymentId: intent.paymentId,
    providerRef: intent.providerRef ?? "",
    refundId: refund.refundId,
    amount: refund.amount,
    currency: intent.currency,
    idempotencyKey: `refund:${intent.paymentId}:${refund.idempotencyKey}`,
  };
}

/** Records a provider's answer to a pending refund in `tx`: money back announces billing.payment.refunded.v1. */
export async function recordRefundAnswer(
  kernel: Kernel,
  tx: Tx,
  intent: PaymentIntent,
  refund: RefundRecord,
  outcome: ProviderRefundOutcome,
  trace: { metadata: EventMetadata },
): Promise<RefundRecord> {
  switch (outcome.status) {
    case "succeeded":
      await settleRefund(tx, refund.refundId, "succeeded", outcome.providerRef);
      await recordTransition(kernel, tx, intent, { type: "Refund", refundId: refund.refundId, amount: refund.amount }, trace);
      return { ...refund, status: "succeeded", providerRef: outcome.providerRef };
    case "pending":
      await refundAccepted(tx, refund.refundId, outcome.providerRef);
      return { ...refund, providerRef: outcome.providerRef };
    case "failed":
      await settleRefund(tx, refund.refundId, "failed", null);
      return { ...refund, status: "failed" };
    default: {
      const unreachable: never = outcome;
      return unreachable;
    }
  }
}
