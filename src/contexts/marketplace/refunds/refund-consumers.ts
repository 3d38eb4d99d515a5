import type { Consumer } from "../../../platform/events/consumers.js";
import type { RefundRuntime } from "./refund-flow.js";
import { pendingRefundByBillingRefund } from "./refunds.sql.js";

/**
 * A card refund the provider confirms later (Stripe webhook) comes back as billing.payment.refunded.v1:
 * the waiting refund saga moves on at once instead of at its next re-check. Refunds of the purchase
 * saga's compensations carry no marketplace refund and are ignored.
 */
export function refundSagaConsumer(runtime: RefundRuntime): Consumer {
  return {
    name: "marketplace.refund-saga",
    types: ["billing.payment.refunded.v1"],
    async handle(tx, event) {
      const payload = event.payload as { orderId: string; refundId: string };
      const refund = await pendingRefundByBillingRefund(tx, payload.orderId, payload.refundId);
      if (!refund || refund.billingRefundId !== payload.refundId) return;
      await runtime.handle(tx, refund.refundId, { type: "MoneyReturned", billingRefundId: payload.refundId }, event.eventId);
    },
  };
}
