import { Type, type Static, type TObject, type TProperties } from "@sinclair/typebox";
import { defineEvent } from "../platform/events/registry.js";

/**
 * Wire types of a subscription's life (issue 20; EVENTS.md "Subscriptions"): one per move of its
 * status. Aggregate Subscription, partition key and correlationId the subscriptionId, so a
 * subscription's events arrive in order; each names the order and licence it belongs to.
 */
const Id = Type.String({ minLength: 1, maxLength: 200 });
const Minor = Type.Integer({ minimum: 0 });
const Currency = Type.String({ pattern: "^[A-Z]{3}$" });
const Instant = Type.String({ format: "date-time" });
const Period = Type.Integer({ minimum: 0 });
const closed = { additionalProperties: false } as const;

const Subject = { subscriptionId: Id, orderId: Id, licenseId: Id, buyerUserId: Id, tenantId: Id };

function subscriptionEvent<T extends string, P extends TProperties>(type: T, properties: P) {
  const payload: TObject<typeof Subject & P> = Type.Object({ ...Subject, ...properties }, closed);
  return defineEvent({
    type,
    source: "marketplace",
    aggregateType: "Subscription",
    retentionClass: "financial",
    payload,
    aggregateId: (p: Static<typeof payload>) => String((p as Record<string, unknown>).subscriptionId),
    partitionKey: (p: Static<typeof payload>) => String((p as Record<string, unknown>).subscriptionId),
  });
}

/** A period was paid: the licence runs to the new period end. */
export const SubscriptionRenewed = subscriptionEvent("marketplace.subscription.renewed.v1", {
  period: Period,
  paymentId: Id,
  amount: Minor,
  currency: Currency,
  currentPeriodStart: Instant,
  currentPeriodEnd: Instant,
});

/** A renewal charge failed: access is kept through the grace period while the charge is retried. */
export const SubscriptionPastDue = subscriptionEvent("marketplace.subscription.past_due.v1", {
  period: Period,
  failureCode: Type.String({ minLength: 1, maxLength: 200 }),
  pastDueSince: Instant,
  nextRetryAt: Type.Union([Instant, Type.Null()]),
  suspendsAt: Instant,
  cancelsAt: Instant,
});

/** The grace period ran out unpaid: entitlements answer not entitled (enrollments are kept). */
export const SubscriptionSuspended = subscriptionEvent("marketplace.subscription.suspended.v1", {
  suspendedAt: Instant,
  cancelsAt: Instant,
});

const EndReason = Type.Union([
  Type.Literal("requested"),
  Type.Literal("payment_failed"),
  Type.Literal("license_revoked"),
  Type.Literal("canceled_at_period_end"),
]);

/** No further charge. `atPeriodEnd`: access lasts until `endsAt`; otherwise it ended at `endsAt`. */
export const SubscriptionCanceled = subscriptionEvent("marketplace.subscription.canceled.v1", {
  reason: EndReason,
  atPeriodEnd: Type.Boolean(),
  endsAt: Instant,
});

/** A subscription canceled at period end reached it: access ended. */
export const SubscriptionExpired = subscriptionEvent("marketplace.subscription.expired.v1", {
  reason: EndReason,
  expiredAt: Instant,
});

/** Back to active: a past-due period was paid, or a cancellation at period end was withdrawn. */
export const SubscriptionReactivated = subscriptionEvent("marketplace.subscription.reactivated.v1", {
  reason: Type.Union([Type.Literal("payment_succeeded"), Type.Literal("resumed")]),
  currentPeriodEnd: Instant,
});

export const marketplaceSubscriptionEvents = [
  SubscriptionRenewed,
  SubscriptionPastDue,
  SubscriptionSuspended,
  SubscriptionCanceled,
  SubscriptionExpired,
  SubscriptionReactivated,
];
