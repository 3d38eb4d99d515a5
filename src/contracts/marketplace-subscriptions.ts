import { Type, type Static, type TObject, type TProperties } from "@sinclair/typebox";
import { defineEvent, described } from "../platform/events/registry.js";

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
export const SubscriptionRenewed = described(
  subscriptionEvent("marketplace.subscription.renewed.v1", {
    period: Period,
    paymentId: Id,
    amount: Minor,
    currency: Currency,
    currentPeriodStart: Instant,
    currentPeriodEnd: Instant,
  }),
  {
    summary: "A subscription period was paid: the licence runs to the new period end.",
    example: {
      subscriptionId: "sub_0194f3b2d0e1f2a3b4c5d6e7f8a9b0c1",
      orderId: "ord_0194f3b2c1d07a8e9f10a1b2c3d4e5f6",
      licenseId: "lcn_0194f3b2c8a17d3e5b60f1e2d3c4b5a6",
      buyerUserId: "usr_buyer_42",
      tenantId: "ten_acme",
      period: 1,
      paymentId: "pay_0194f3b2c5e9a0b1c2d3e4f5a6b7c8d9",
      amount: 1500,
      currency: "USD",
      currentPeriodStart: "2026-04-01T09:30:00.000Z",
      currentPeriodEnd: "2026-05-01T09:30:00.000Z",
    },
  },
);

/** A renewal charge failed: access is kept through the grace period while the charge is retried. */
export const SubscriptionPastDue = described(
  subscriptionEvent("marketplace.subscription.past_due.v1", {
    period: Period,
    failureCode: Type.String({ minLength: 1, maxLength: 200 }),
    pastDueSince: Instant,
    nextRetryAt: Type.Union([Instant, Type.Null()]),
    suspendsAt: Instant,
    cancelsAt: Instant,
  }),
  {
    summary: "A renewal charge failed: access is kept through the grace period while it is retried.",
    example: {
      subscriptionId: "sub_0194f3b2d0e1f2a3b4c5d6e7f8a9b0c1",
      orderId: "ord_0194f3b2c1d07a8e9f10a1b2c3d4e5f6",
      licenseId: "lcn_0194f3b2c8a17d3e5b60f1e2d3c4b5a6",
      buyerUserId: "usr_buyer_42",
      tenantId: "ten_acme",
      period: 1,
      failureCode: "card_declined",
      pastDueSince: "2026-04-01T09:30:00.000Z",
      nextRetryAt: "2026-04-04T09:30:00.000Z",
      suspendsAt: "2026-04-08T09:30:00.000Z",
      cancelsAt: "2026-04-22T09:30:00.000Z",
    },
  },
);

/** The grace period ran out unpaid: entitlements answer not entitled (enrollments are kept). */
export const SubscriptionSuspended = described(
  subscriptionEvent("marketplace.subscription.suspended.v1", {
    suspendedAt: Instant,
    cancelsAt: Instant,
  }),
  {
    summary: "The grace period ran out unpaid: access is suspended.",
    example: {
      subscriptionId: "sub_0194f3b2d0e1f2a3b4c5d6e7f8a9b0c1",
      orderId: "ord_0194f3b2c1d07a8e9f10a1b2c3d4e5f6",
      licenseId: "lcn_0194f3b2c8a17d3e5b60f1e2d3c4b5a6",
      buyerUserId: "usr_buyer_42",
      tenantId: "ten_acme",
      suspendedAt: "2026-04-08T09:30:00.000Z",
      cancelsAt: "2026-04-22T09:30:00.000Z",
    },
  },
);

const EndReason = Type.Union([
  Type.Literal("requested"),
  Type.Literal("payment_failed"),
  Type.Literal("license_revoked"),
  Type.Literal("canceled_at_period_end"),
]);

/** No further charge. `atPeriodEnd`: access lasts until `endsAt`; otherwise it ended at `endsAt`. */
export const SubscriptionCanceled = described(
  subscriptionEvent("marketplace.subscription.canceled.v1", {
    reason: EndReason,
    atPeriodEnd: Type.Boolean(),
    endsAt: Instant,
  }),
  {
    summary: "A subscription was canceled, now or at the period end.",
    example: {
      subscriptionId: "sub_0194f3b2d0e1f2a3b4c5d6e7f8a9b0c1",
      orderId: "ord_0194f3b2c1d07a8e9f10a1b2c3d4e5f6",
      licenseId: "lcn_0194f3b2c8a17d3e5b60f1e2d3c4b5a6",
      buyerUserId: "usr_buyer_42",
      tenantId: "ten_acme",
      reason: "requested",
      atPeriodEnd: true,
      endsAt: "2026-05-01T09:30:00.000Z",
    },
  },
);

/** A subscription canceled at period end reached it: access ended. */
export const SubscriptionExpired = described(
  subscriptionEvent("marketplace.subscription.expired.v1", {
    reason: EndReason,
    expiredAt: Instant,
  }),
  {
    summary: "A subscription canceled at its period end reached it: access ended.",
    example: {
      subscriptionId: "sub_0194f3b2d0e1f2a3b4c5d6e7f8a9b0c1",
      orderId: "ord_0194f3b2c1d07a8e9f10a1b2c3d4e5f6",
      licenseId: "lcn_0194f3b2c8a17d3e5b60f1e2d3c4b5a6",
      buyerUserId: "usr_buyer_42",
      tenantId: "ten_acme",
      reason: "canceled_at_period_end",
      expiredAt: "2026-05-01T09:30:00.000Z",
    },
  },
);

/** Back to active: a past-due period was paid, or a cancellation at period end was withdrawn. */
export const SubscriptionReactivated = described(
  subscriptionEvent("marketplace.subscription.reactivated.v1", {
    reason: Type.Union([Type.Literal("payment_succeeded"), Type.Literal("resumed")]),
    currentPeriodEnd: Instant,
  }),
  {
    summary: "A subscription is active again (a past-due period paid, or a cancellation withdrawn).",
    example: {
      subscriptionId: "sub_0194f3b2d0e1f2a3b4c5d6e7f8a9b0c1",
      orderId: "ord_0194f3b2c1d07a8e9f10a1b2c3d4e5f6",
      licenseId: "lcn_0194f3b2c8a17d3e5b60f1e2d3c4b5a6",
      buyerUserId: "usr_buyer_42",
      tenantId: "ten_acme",
      reason: "payment_succeeded",
      currentPeriodEnd: "2026-05-01T09:30:00.000Z",
    },
  },
);

export const marketplaceSubscriptionEvents = [
  SubscriptionRenewed,
  SubscriptionPastDue,
  SubscriptionSuspended,
  SubscriptionCanceled,
  SubscriptionExpired,
  SubscriptionReactivated,
];
