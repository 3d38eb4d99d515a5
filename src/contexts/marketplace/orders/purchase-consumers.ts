import type { Envelope } from "../../../platform/events/envelope.js";
import type { Consumer } from "../../../platform/events/consumers.js";
import type { PaymentsPort } from "../ports.js";
import type { RenewalOutcomes } from "../subscriptions/subscription-consumers.js";
import { parseChargeRef } from "../subscriptions/subscription.domain.js";
import { preloadOrders } from "./order-memo.js";
import type { PurchaseRuntime } from "./purchase-flow.js";

/** The purchase an event moves on, if any. */
function orderOf(event: Envelope): string | null {
  const payload = event.payload as Record<string, unknown>;
  if (event.type === "enrollment.created.v1") {
    // Only commerce-sourced enrollments carry an orderId (seed 000 §2.1 EP-6 subset); the saga
    // waits for the buyer's license enrollments only, not for seat or site-license ones later.
    return typeof payload.orderId === "string" && (payload.source as { kind?: string } | undefined)?.kind === "license"
      ? payload.orderId
      : null;
  }
  // A subscription's renewal charge is billed under its own reference, not an order's: not ours.
  return parseChargeRef(String(payload.orderId)) ? null : String(payload.orderId);
}

/**
 * seed 001 §5.3: the saga moves on billing's payment outcomes and on enrollment.created.v1. A
 * renewal charge's outcome goes to its subscription instead: every payment outcome comes here once,
 * so a purchase's is not delivered to a second consumer as well.
 * Events for orders this saga does not know (another flow's payment) are ignored by the runtime.
 */
export function purchaseSagaConsumer(runtime: PurchaseRuntime, payments: PaymentsPort, renewals: RenewalOutcomes): Consumer {
  return {
    name: "marketplace.purchase-saga",
    types: ["billing.payment.succeeded.v1", "billing.payment.failed.v1", "enrollment.created.v1"],
    async prepare(tx, events) {
      // A batch's sagas (locked) and orders in two reads sent together, not two per event.
      const orderIds = events.map(orderOf).filter((id): id is string => id !== null);
      await Promise.all([runtime.preload(tx, orderIds), preloadOrders(tx, orderIds), renewals.prepare(tx, events)]);
    },
    async handle(tx, event) {
      if (event.type !== "enrollment.created.v1" && (await renewals.handle(tx, event))) return;
      const orderId = orderOf(event);
      if (orderId === null) return;
      const payload = event.payload as Record<string, unknown>;
      switch (event.type) {
        case "billing.payment.succeeded.v1":
          await runtime.handle(tx, orderId, { type: "PaymentSucceeded", paymentId: String(payload.paymentId) }, event.eventId);
          return;
        case "billing.payment.failed.v1": {
          // seed 004 order.failed: a wallet shortfall reports what was required and what was there.
          const shortfall =
            payload.failureCode === "WALLET_INSUFFICIENT_BALANCE" ? await payments.shortfall(tx, String(payload.paymentId)) : null;
          await runtime.handle(
            tx,
            orderId,
            { type: "PaymentFailed", paymentId: String(payload.paymentId), failureCode: String(payload.failureCode), ...(shortfall ?? {}) },
            event.eventId,
          );
          return;
        }
        case "enrollment.created.v1":
          await runtime.handle(tx, orderId, { type: "EnrollmentCreated", enrollmentId: String(payload.enrollmentId) }, event.eventId);
          return;
      }
    },
  };
}
