import type { Consumer } from "../../../platform/events/consumers.js";
import type { Envelope } from "../../../platform/events/envelope.js";
import type { Tx } from "../../../platform/db/db.js";
import { subscriptionOfLicense } from "../licenses/licenses.sql.js";
import type { SubscriptionRuntime } from "./subscription-flow.js";
import { preloadSubscriptions } from "./subscription-memo.js";
import { parseChargeRef } from "./subscription.domain.js";

const chargeOf = (event: Envelope) => parseChargeRef(String((event.payload as { orderId?: unknown }).orderId ?? ""));

/**
 * A licence revoked by a refund (or an operator) ends its subscription. Its own consumer: billing's
 * payment outcomes reach the subscription saga through the purchase saga's consumer instead
 * (`renewalOutcomes`), so a purchase's payment event is not delivered to one more consumer.
 */
export function subscriptionSagaConsumer(runtime: SubscriptionRuntime): Consumer {
  return {
    name: "marketplace.subscription-saga",
    types: ["marketplace.license.revoked.v1"],
    async handle(tx: Tx, event) {
      const subscriptionId = await subscriptionOfLicense(tx, String((event.payload as { licenseId?: unknown }).licenseId));
      if (subscriptionId) await runtime.handle(tx, subscriptionId, { type: "LicenseRevoked", at: new Date(event.occurredAt) }, event);
    },
  };
}

/** Billing's outcome for a renewal charge, handed over by the consumer that receives every payment outcome. */
export interface RenewalOutcomes {
  /** Loads and locks the batch's subscriptions (its renewal charges only). */
  prepare(tx: Tx, events: readonly Envelope[]): Promise<void>;
  /** True when the event was a renewal charge's (handled here); false for an order's payment. */
  handle(tx: Tx, event: Envelope): Promise<boolean>;
}

/**
 * A renewal charge that billing answered later (Stripe, a delayed sandbox token) moves the saga by
 * billing's event. One answered at once was recorded when it was asked: its event changes nothing,
 * so it writes nothing either (no step, no row update), which is most renewals.
 */
export function renewalOutcomes(runtime: SubscriptionRuntime): RenewalOutcomes {
  return {
    async prepare(tx, events) {
      const ids = events.map((e) => chargeOf(e)?.subscriptionId).filter((id): id is string => id !== undefined);
      if (ids.length > 0) await Promise.all([runtime.preload(tx, ids), preloadSubscriptions(tx, ids)]);
    },
    async handle(tx, event) {
      const charge = chargeOf(event);
      if (!charge) return false;
      const awaited = (await runtime.stateOf(tx, charge.subscriptionId))?.charging;
      if (awaited?.period !== charge.period || awaited.attempt !== charge.attempt) return true;
      const payload = event.payload as Record<string, unknown>;
      const at = new Date(event.occurredAt);
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
        event,
      );
      return true;
    },
  };
}
