import { Type, type Static, type TObject, type TProperties } from "@sinclair/typebox";
import { defineEvent } from "../platform/events/registry.js";

/**
 * Wire types of the purchase flow, licenses and payouts (EVENTS.md "Published"), field for field:
 * seed 002 (OrderPlaced/Paid/Refunded), seed 004 (order.paid breakdown, order.failed) and
 * seed 000 §2.0 (license events). Partition key orderId; correlationId is the orderId.
 */
const Id = Type.String({ minLength: 1, maxLength: 200 });
const Minor = Type.Integer({ minimum: 0 });
const Currency = Type.String({ pattern: "^[A-Z]{3}$" });
const Instant = Type.String({ format: "date-time" });
const closed = { additionalProperties: false } as const;

function orderEvent<T extends string, P extends TProperties>(
  type: T,
  aggregateType: "Order" | "License",
  properties: P,
  retentionClass: "financial" | "operational" = "financial",
) {
  const payload: TObject<P> = Type.Object(properties, closed);
  return defineEvent({
    type,
    source: "marketplace",
    aggregateType,
    retentionClass,
    payload,
    aggregateId: (p: Static<TObject<P>>) => String((p as Record<string, unknown>)[aggregateType === "Order" ? "orderId" : "licenseId"]),
    partitionKey: (p: Static<TObject<P>>) => String((p as Record<string, unknown>).orderId),
  });
}

export const OrderPlaced = orderEvent("marketplace.order.placed.v1", "Order", {
  orderId: Id,
  buyerUserId: Id,
  tenantId: Id,
  courseIds: Type.Array(Id),
  items: Type.Array(
    Type.Object(
      { listingId: Id, planId: Id, planVersion: Type.Integer({ minimum: 1 }), courseId: Id, quantity: Type.Integer({ minimum: 1 }) },
      closed,
    ),
  ),
  subtotal: Minor,
  discount: Minor,
  tax: Minor,
  total: Minor,
  currency: Currency,
  couponCode: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
});

export const OrderPaid = orderEvent("marketplace.order.paid.v1", "Order", {
  orderId: Id,
  buyerUserId: Id,
  courseIds: Type.Array(Id),
  paymentId: Id,
  amount: Minor,
  currency: Currency,
  paymentMethod: Type.Union([Type.Literal("card"), Type.Literal("wallet")]),
  paymentBreakdown: Type.Optional(Type.Array(Type.Object({ bucket: Id, amount: Minor, transactionId: Id }, closed))),
});

export const OrderFulfilled = orderEvent("marketplace.order.fulfilled.v1", "Order", {
  orderId: Id,
  buyerUserId: Id,
  licenseIds: Type.Array(Id),
  enrollmentIds: Type.Array(Id),
  total: Minor,
  currency: Currency,
});

export const OrderFailed = orderEvent("marketplace.order.failed.v1", "Order", {
  orderId: Id,
  buyerUserId: Id,
  failureReason: Type.String({ minLength: 1, maxLength: 200 }),
  failureStage: Type.Union([Type.Literal("payment"), Type.Literal("wallet_debit"), Type.Literal("licensing"), Type.Literal("enrollment")]),
  rollbackCompleted: Type.Boolean(),
  amountRequired: Type.Optional(Minor),
  amountAvailable: Type.Optional(Minor),
});

export const OrderRefunded = orderEvent("marketplace.order.refunded.v1", "Order", {
  orderId: Id,
  buyerUserId: Id,
  courseIds: Type.Array(Id),
  refundReason: Type.String({ minLength: 1, maxLength: 2000 }),
  amount: Minor,
  currency: Currency,
  seatsRefunded: Type.Optional(Type.Integer({ minimum: 0 })),
});

const GrantFacts = {
  licenseId: Id,
  orderId: Id,
  courseId: Id,
  listingId: Id,
  buyerUserId: Id,
  seatTotal: Type.Optional(Type.Integer({ minimum: 1 })),
};
/** Deprecated: published beside `.v2` (seed 001 §7 F20) until its consumers have moved over. */
export const LicenseGranted = orderEvent("marketplace.license.granted.v1", "License", GrantFacts);

/**
 * seed 001 §5.2: the sync-service must know a licensed course may stay on an offline device for
 * good; `perpetualOffline` is the plan version's flag. Producers write this one; the registry
 * derives `.v1` from it (the same fields without the flag) and publishes both.
 */
export const LicenseGrantedV2 = defineEvent({
  ...orderEvent("marketplace.license.granted.v2", "License", { ...GrantFacts, perpetualOffline: Type.Boolean() }),
  previous: {
    definition: LicenseGranted,
    toPrevious: ({ perpetualOffline: _, ...v1 }: { perpetualOffline: boolean }) => v1,
  },
});

const SeatFacts = { licenseId: Id, assigneeUserId: Id, seatAssignmentId: Id, orderId: Id };
export const LicenseAssigned = orderEvent("marketplace.license.assigned.v1", "License", SeatFacts, "operational");
export const LicenseReleased = orderEvent("marketplace.license.released.v1", "License", SeatFacts, "operational");

export const LicenseRevoked = orderEvent("marketplace.license.revoked.v1", "License", {
  licenseId: Id,
  orderId: Id,
  reason: Type.String({ minLength: 1, maxLength: 200 }),
});

export const LicenseExpired = orderEvent(
  "marketplace.license.expired.v1",
  "License",
  { licenseId: Id, orderId: Id, expiredAt: Instant },
  "operational",
);

export const PayoutBatchRecorded = defineEvent({
  type: "marketplace.payout.batch_recorded.v1",
  source: "marketplace",
  aggregateType: "PayoutRun",
  retentionClass: "financial",
  payload: Type.Object(
    {
      payoutRunId: Id,
      providerId: Id,
      amount: Minor,
      currency: Currency,
      periodStart: Instant,
      periodEnd: Instant,
      lines: Type.Array(Type.Object({ orderId: Id, amount: Type.Integer() }, closed)),
    },
    closed,
  ),
  aggregateId: (p) => p.payoutRunId,
  partitionKey: (p) => p.providerId,
});

export const marketplaceOrderEvents = [
  OrderPlaced,
  OrderPaid,
  OrderFulfilled,
  OrderFailed,
  OrderRefunded,
  LicenseGranted,
  LicenseGrantedV2,
  LicenseAssigned,
  LicenseReleased,
  LicenseRevoked,
  LicenseExpired,
  PayoutBatchRecorded,
];
