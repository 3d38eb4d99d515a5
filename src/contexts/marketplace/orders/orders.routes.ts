import { Type } from "@sinclair/typebox";
import { IdempotencyKeyHeader, idempotent, keyedRequest } from "../../../platform/http/idempotency.js";
import { hasRole } from "../../../platform/http/auth.js";
import { authorize, principalOf } from "../../../platform/http/server.js";
import { requestMetadataOf } from "../../../platform/http/request-context.js";
import type { ModuleHost } from "../../../platform/module.js";
import { refuse } from "../errors.js";
import type { MarketplacePorts } from "../ports.js";
import { OrderViewResponse, PlacedOrderResponse } from "./order-responses.js";
import { orderView } from "./order-view.js";
import { ListingCourses } from "./listing-courses.js";
import { placeOrder, readOrderFacts, type OrderReads } from "./place-order.js";
import type { PurchaseRuntime } from "./purchase-flow.js";
import { SYSTEM_SCOPE } from "../../../platform/db/db.js";
import { Component, Id, ShortText } from "../../../platform/http/schemas.js";
import { Json } from "../../../platform/http/openapi.js";

const PlaceOrderBody = Type.Object(
  {
    items: Type.Array(
      Type.Object(
        {
          listingId: Id,
          planId: Id,
          planVersion: Type.Optional(Type.Integer({ minimum: 1 })),
          quantity: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000_000 })),
        },
        { additionalProperties: false },
      ),
      { minItems: 1, maxItems: 50 },
    ),
    couponCode: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    billingCountry: Type.Optional(Type.String({ pattern: "^[A-Z]{2}$" })),
    payment: Type.Union([
      Type.Object({ method: Type.Literal("card"), token: ShortText }, { additionalProperties: false }),
      Type.Object({ method: Type.Literal("wallet") }, { additionalProperties: false }),
    ]),
  },
  {
    additionalProperties: false,
    examples: [
      {
        items: [{ listingId: "lst_01J9Z3Q5W8", planId: "pln_01J9Z3R2KD", quantity: 10 }],
        couponCode: "SPRING25",
        payment: { method: "card", token: "tok_visa" },
      },
    ],
  },
);

export function orderRoutes(
  { kernel, server, authenticator }: ModuleHost,
  ports: MarketplacePorts,
  runtime: PurchaseRuntime,
  options: { taxInclusive: boolean },
): void {
  const listingCourses = new ListingCourses();
  const Order = Component(server, "Order", OrderViewResponse);
  const PlacedOrder = Component(server, "PlacedOrder", PlacedOrderResponse);
  server.post(
    "/api/v1/orders",
    {
      preValidation: authorize(authenticator, "learner", "org_admin"),
      schema: {
        tags: ["orders"],
        operationId: "placeOrder",
        summary: "Place an order; the purchase saga takes it to fulfilled or failed. Idempotency-Key required.",
        description:
          "A learner or an org admin buys plans of live listings (a seat pack's quantity is its seats) with a card token or the wallet. The " +
          "answer is the order as placed with its totals; payment, licenses and enrollments follow asynchronously: read getOrder until its " +
          "status is fulfilled or failed. Without an Idempotency-Key: 400 IDEMPOTENCY.KEY_REQUIRED; the same key and body replay the first " +
          "answer, the same key with another body is 422 IDEMPOTENCY.KEY_REUSED.",
        security: [{ bearer: [] }],
        headers: IdempotencyKeyHeader,
        body: PlaceOrderBody,
        response: { 201: Json(PlacedOrder, "The order, placed; the purchase saga takes it on") },
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      const input = {
        ...request.body,
        tenantId: principal.tenantId,
        buyerUserId: principal.userId,
        metadata: requestMetadataOf(request, principal),
      };
      const result = await idempotent(
        kernel.db,
        keyedRequest(request, principal),
        { required: true, tenantId: principal.tenantId },
        async (tx, reads: OrderReads) => ({
          status: 201,
          body: await placeOrder(kernel, ports, runtime, tx, input, options.taxInclusive, reads),
        }),
        (tx) => readOrderFacts(kernel, ports, tx, input, listingCourses),
      );
      return reply.code(result.status as 201).send(result.body);
    },
  );

  server.get(
    "/api/v1/orders/:orderId",
    {
      preValidation: authorize(authenticator),
      schema: {
        tags: ["orders"],
        operationId: "getOrder",
        summary: "An order with its licenses, enrollments and saga step history",
        description:
          "The buyer, an org admin of the buying tenant, or a platform admin or service; anyone else gets 404 ORDER.NOT_FOUND. Shows where the " +
          "purchase saga is (status, and every step it took) and what the order produced.",
        security: [{ bearer: [] }],
        params: Type.Object({ orderId: Id }),
        response: { 200: Json(Order, "The order") },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      const admin = hasRole(principal, "platform_admin", "service");
      const view = await kernel.db.tx((tx) => orderView(tx, request.params.orderId), {
        tenantId: admin ? SYSTEM_SCOPE : principal.tenantId,
      });
      // RLS hides other tenants' orders; inside a tenant only the buyer and its org admins may look.
      if (!view || (!admin && view.buyerUserId !== principal.userId && !hasRole(principal, "org_admin"))) {
        throw refuse({ code: "ORDER.NOT_FOUND", detail: `no order ${request.params.orderId}` });
      }
      return view;
    },
  );
}
