import type { Consumer } from "../../../platform/events/consumers.js";
import type { Envelope } from "../../../platform/events/envelope.js";
import type { Tx } from "../../../platform/db/db.js";
import { subscriptionOfLicense } from "../licenses/licenses.sql.js";
import type { SubscriptionRuntime } from "./subscription-flow.js";
import { preloadSubscriptions } from "./subscription-memo.js";
import { parseChargeRef } from "./subscription.domain.js";

const chargeOf = (event: Envelope) => parseChargeRef(String((event.payload as { orderId?: unknown }).orderId ?? ""));

/**
 * A renewal charge that billing answered later (Stripe, a delayed sandbox token) moves the saga by
 * billing's event; an answer given at once already did, and the saga ignores it the second time.
 * A licence revoked by a refund ends its subscription.
 */
export function subscriptionSagaConsumer(runtime: SubscriptionRuntime): Consumer {
  return {
    name: "marketplace.subscription-saga",
    types: ["billing.payment.succeeded.v1", "billing.payment.failed.v1", "marketplace.license.revoked.v1"],
    async prepare(tx, events) {
      const ids = events.map((e) => chargeOf(e)?.subscriptionId).filter((id): id is string => id !== undefined);
      await Promise.all([runtime.preload(tx, ids), preloadSubscriptions(tx, ids)]);
    },
    async handle(tx: Tx, event) {
      const payload = event.payload as Record<string, unknown>;
      const at = new Date(event.occurredAt);
      if (event.type === "marketplace.license.revoked.v1") {
        const subscriptionId = await subscriptionOfLicense(tx, String(payload.licenseId));
        if (subscriptionId) await runtime.handle(tx, subscriptionId, { type: "LicenseRevoked", at }, event.eventId);
        return;
      }
      const charge = chargeOf(event);
      if (!charge) return; // an order's payment: the purchase saga's
      // A charge answered at once (sandbox, wallet) was recorded when it was asked: its event changes
      // nothing, so it writes nothing either (no step, no row update), which is most renewals.
      const awaited = (await runtime.stateOf(tx, charge.subscriptionId))?.charging;
      if (awaited?.period !== charge.period || awaited.attempt !== charge.attempt) return;
      const paymentId = String(payload.paymentId);
      await runtime.handle(
        tx,
        charge.subscriptionId,
        event.type === "billing.payment.succeeded.v1"
          ? { type: "ChargeSucceeded", period: charge.period, attempt: charge.attempt, paymentId, at }
          : {
              type: "ChargeFailed",
              period: charge.period,
              attempt: charge.attempt,
              paymentId,
              failureCode: String(payload.failureCode),
              at,
            },
        event.eventId,
      );
    },
  };
}
