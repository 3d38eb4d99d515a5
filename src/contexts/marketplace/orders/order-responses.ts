import { Type } from "@sinclair/typebox";
import { PlanKind } from "../../../contracts/marketplace-listings.js";
import { CurrencyCode, Instant, MinorUnits, Nullable, OneOf } from "../../../platform/http/schemas.js";
import { ORDER_STATUSES } from "./purchase-saga.domain.js";

/**
 * What the order routes answer, for the served OpenAPI document (API.md: extra fields must be
 * described there). Fastify also serializes responses by these schemas, so a field missing here
 * would be dropped from the response: keep them in step with place-order.ts and order-view.ts.
 */
const Minor = (description: string) => MinorUnits(`${description}, in minor units`);

const OrderStatus = OneOf(ORDER_STATUSES);

const OrderTotals = Type.Object(
  {
    subtotal: Minor("the lines' sum"),
    discount: Minor("the coupon's discount"),
    tax: Minor("billing's tax reference"),
    taxInclusive: Type.Boolean({ description: "prices include the tax (true) or it is added on top" }),
    total: Minor("what the buyer pays"),
    currency: CurrencyCode,
  },
  { additionalProperties: false },
);

export const PlacedOrderResponse = Type.Object(
  { orderId: Type.String(), status: OrderStatus, totals: OrderTotals, refundDeadline: Nullable(Instant) },
  {
    additionalProperties: false,
    examples: [
      {
        orderId: "ord_01J9Z3Y2",
        status: "awaiting_payment",
        totals: { subtotal: 20000, discount: 5000, tax: 0, taxInclusive: true, total: 15000, currency: "USD" },
        refundDeadline: "2026-03-15T09:00:00.000Z",
      },
    ],
  },
);

const SagaStepView = Type.Object(
  {
    seq: Type.Integer(),
    at: Instant,
    input: Type.String(),
    from: Type.String(),
    to: Type.String(),
    commands: Type.Array(Type.String()),
    note: Nullable(Type.String()),
  },
  { additionalProperties: false },
);

export const OrderViewResponse = Type.Object(
  {
    orderId: Type.String(),
    tenantId: Type.String(),
    buyerUserId: Type.String(),
    status: OrderStatus,
    items: Type.Array(
      Type.Object(
        {
          listingId: Type.String(),
          planId: Type.String(),
          planVersion: Type.Integer(),
          kind: PlanKind,
          courseId: Type.String(),
          quantity: Type.Integer({ description: "seats (seat packs); 1 otherwise" }),
          unitAmount: Minor("one unit's price"),
          amount: Minor("the line's price"),
          subscriptionId: Type.Optional(
            Type.String({ description: "the subscription a recurring line started, once the order is fulfilled" }),
          ),
        },
        { additionalProperties: false },
      ),
    ),
    totals: OrderTotals,
    couponCode: Nullable(Type.String()),
    paymentMethod: Type.Union([Type.Literal("card"), Type.Literal("wallet")]),
    paymentId: Nullable(Type.String()),
    licenseIds: Type.Array(Type.String()),
    enrollmentIds: Type.Array(Type.String()),
    failure: Type.Unknown({ description: "why the order failed (failureReason, failureStage, rollbackCompleted…), or null" }),
    refundPolicyId: Nullable(Type.String()),
    refundDeadline: Nullable(Instant),
    placedAt: Instant,
    saga: Type.Object({ state: Type.String(), steps: Type.Array(SagaStepView) }, { additionalProperties: false }),
  },
  { additionalProperties: false },
);
