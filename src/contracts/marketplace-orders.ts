import { Type, type Static, type TObject, type TProperties } from "@sinclair/typebox";
import { defineEvent, described } from "../platform/events/registry.js";

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

export const OrderPlaced = described(
  orderEvent("marketplace.order.placed.v1", "Order", {
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
  }),
  {
    summary: "An order was placed: items, totals and buyer; payment follows.",
    example: {
      orderId: "ord_0194f3b2c1d07a8e9f10a1b2c3d4e5f6",
      buyerUserId: "usr_buyer_42",
      tenantId: "ten_acme",
      courseIds: ["crs_typescript_in_depth"],
      items: [
        {
          listingId: "lst_0194e8a1b2c3d4e5f6a7b8c9d0e1f2a3",
          planId: "pln_0194e8a1c4d5e6f7a8b9c0d1e2f3a4b5",
          planVersion: 1,
          courseId: "crs_typescript_in_depth",
          quantity: 1,
        },
      ],
      subtotal: 4900,
      discount: 0,
      tax: 0,
      total: 4900,
      currency: "USD",
    },
  },
);

export const OrderPaid = described(
  orderEvent("marketplace.order.paid.v1", "Order", {
    orderId: Id,
    buyerUserId: Id,
    courseIds: Type.Array(Id),
    paymentId: Id,
    amount: Minor,
    currency: Currency,
    paymentMethod: Type.Union([Type.Literal("card"), Type.Literal("wallet")]),
    paymentBreakdown: Type.Optional(Type.Array(Type.Object({ bucket: Id, amount: Minor, transactionId: Id }, closed))),
  }),
  {
    summary: "An order's payment succeeded.",
    example: {
      orderId: "ord_0194f3b2c1d07a8e9f10a1b2c3d4e5f6",
      buyerUserId: "usr_buyer_42",
      courseIds: ["crs_typescript_in_depth"],
      paymentId: "pay_0194f3b2c5e9a0b1c2d3e4f5a6b7c8d9",
      amount: 4900,
      currency: "USD",
      paymentMethod: "card",
    },
  },
);

export const OrderFulfilled = described(
  orderEvent("marketplace.order.fulfilled.v1", "Order", {
    orderId: Id,
    buyerUserId: Id,
    licenseIds: Type.Array(Id),
    enrollmentIds: Type.Array(Id),
    total: Minor,
    currency: Currency,
  }),
  {
    summary: "An order was fulfilled: its licences granted and its enrollments created.",
    example: {
      orderId: "ord_0194f3b2c1d07a8e9f10a1b2c3d4e5f6",
      buyerUserId: "usr_buyer_42",
      licenseIds: ["lcn_0194f3b2c8a17d3e5b60f1e2d3c4b5a6"],
      enrollmentIds: ["enr_0194f3b2c9f0a1b2c3d4e5f6a7b8c9d0"],
      total: 4900,
      currency: "USD",
    },
  },
);

export const OrderFailed = described(
  orderEvent("marketplace.order.failed.v1", "Order", {
    orderId: Id,
    buyerUserId: Id,
    failureReason: Type.String({ minLength: 1, maxLength: 200 }),
    failureStage: Type.Union([
      Type.Literal("payment"),
      Type.Literal("wallet_debit"),
      Type.Literal("licensing"),
      Type.Literal("enrollment"),
    ]),
    rollbackCompleted: Type.Boolean(),
    amountRequired: Type.Optional(Minor),
    amountAvailable: Type.Optional(Minor),
  }),
  {
    summary: "An order failed, at which stage, and whether its compensation completed.",
    example: {
      orderId: "ord_0194f3b2c1d07a8e9f10a1b2c3d4e5f6",
      buyerUserId: "usr_buyer_42",
      failureReason: "card_declined",
      failureStage: "payment",
      rollbackCompleted: true,
    },
  },
);

export const OrderRefunded = described(
  orderEvent("marketplace.order.refunded.v1", "Order", {
    orderId: Id,
    buyerUserId: Id,
    courseIds: Type.Array(Id),
    refundReason: Type.String({ minLength: 1, maxLength: 2000 }),
    amount: Minor,
    currency: Currency,
    seatsRefunded: Type.Optional(Type.Integer({ minimum: 0 })),
  }),
  {
    summary: "An order was refunded.",
    example: {
      orderId: "ord_0194f3b2c1d07a8e9f10a1b2c3d4e5f6",
      buyerUserId: "usr_buyer_42",
      courseIds: ["crs_typescript_in_depth"],
      refundReason: "Bought the wrong course.",
      amount: 4900,
      currency: "USD",
    },
  },
);

const GrantFacts = {
  licenseId: Id,
  orderId: Id,
  courseId: Id,
  listingId: Id,
  buyerUserId: Id,
  seatTotal: Type.Optional(Type.Integer({ minimum: 1 })),
};
/** Deprecated: published beside `.v2` (seed 001 §7 F20) until its consumers have moved over. */
export const LicenseGranted = described(orderEvent("marketplace.license.granted.v1", "License", GrantFacts), {
  summary: "A licence was granted for a course bought in an order.",
  example: {
    licenseId: "lcn_0194f3b2c8a17d3e5b60f1e2d3c4b5a6",
    orderId: "ord_0194f3b2c1d07a8e9f10a1b2c3d4e5f6",
    courseId: "crs_typescript_in_depth",
    listingId: "lst_0194e8a1b2c3d4e5f6a7b8c9d0e1f2a3",
    buyerUserId: "usr_buyer_42",
  },
});

/**
 * seed 001 §5.2: the sync-service must know a licensed course may stay on an offline device for
 * good; `perpetualOffline` is the plan version's flag. Producers write this one; the registry
 * derives `.v1` from it (the same fields without the flag) and publishes both.
 */
export const LicenseGrantedV2 = defineEvent({
  ...orderEvent("marketplace.license.granted.v2", "License", { ...GrantFacts, perpetualOffline: Type.Boolean() }),
  summary: "A licence was granted for a course bought in an order, with the plan's perpetual offline right.",
  example: {
    licenseId: "lcn_0194f3b2c8a17d3e5b60f1e2d3c4b5a6",
    orderId: "ord_0194f3b2c1d07a8e9f10a1b2c3d4e5f6",
    courseId: "crs_typescript_in_depth",
    listingId: "lst_0194e8a1b2c3d4e5f6a7b8c9d0e1f2a3",
    buyerUserId: "usr_buyer_42",
    perpetualOffline: true,
  },
  previous: {
    definition: LicenseGranted,
    toPrevious: ({ perpetualOffline: _, ...v1 }: { perpetualOffline: boolean }) => v1,
  },
});

const SeatFacts = { licenseId: Id, assigneeUserId: Id, seatAssignmentId: Id, orderId: Id };
export const LicenseAssigned = described(orderEvent("marketplace.license.assigned.v1", "License", SeatFacts, "operational"), {
  summary: "A seat of a seat-pack licence was assigned to a learner.",
  example: {
    licenseId: "lcn_0194f3b2c8a17d3e5b60f1e2d3c4b5a6",
    assigneeUserId: "usr_learner_7",
    seatAssignmentId: "sea_0194f3c0a1b2c3d4e5f6a7b8c9d0e1f2",
    orderId: "ord_0194f3b2c1d07a8e9f10a1b2c3d4e5f6",
  },
});
export const LicenseReleased = described(orderEvent("marketplace.license.released.v1", "License", SeatFacts, "operational"), {
  summary: "A seat of a seat-pack licence was released by its learner.",
  example: {
    licenseId: "lcn_0194f3b2c8a17d3e5b60f1e2d3c4b5a6",
    assigneeUserId: "usr_learner_7",
    seatAssignmentId: "sea_0194f3c0a1b2c3d4e5f6a7b8c9d0e1f2",
    orderId: "ord_0194f3b2c1d07a8e9f10a1b2c3d4e5f6",
  },
});

export const LicenseRevoked = described(
  orderEvent("marketplace.license.revoked.v1", "License", {
    licenseId: Id,
    orderId: Id,
    reason: Type.String({ minLength: 1, maxLength: 200 }),
  }),
  {
    summary: "A licence was revoked (a refund, a failed order, a subscription's end).",
    example: {
      licenseId: "lcn_0194f3b2c8a17d3e5b60f1e2d3c4b5a6",
      orderId: "ord_0194f3b2c1d07a8e9f10a1b2c3d4e5f6",
      reason: "order_refunded",
    },
  },
);

export const LicenseExpired = described(
  orderEvent("marketplace.license.expired.v1", "License", { licenseId: Id, orderId: Id, expiredAt: Instant }, "operational"),
  {
    summary: "A licence reached the end of its validity.",
    example: {
      licenseId: "lcn_0194f3b2c8a17d3e5b60f1e2d3c4b5a6",
      orderId: "ord_0194f3b2c1d07a8e9f10a1b2c3d4e5f6",
      expiredAt: "2027-03-01T09:30:00.000Z",
    },
  },
);

export const PayoutBatchRecorded = defineEvent({
  type: "marketplace.payout.batch_recorded.v1",
  summary: "A provider's payout for a period was recorded, line by order.",
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
  example: {
    payoutRunId: "pay_run_2026_03",
    providerId: "prv_northwind_academy",
    amount: 41650,
    currency: "USD",
    periodStart: "2026-03-01T00:00:00.000Z",
    periodEnd: "2026-04-01T00:00:00.000Z",
    lines: [{ orderId: "ord_0194f3b2c1d07a8e9f10a1b2c3d4e5f6", amount: 4165 }],
  },
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
