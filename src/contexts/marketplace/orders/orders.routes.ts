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
import { Id, ShortText } from "../../../platform/http/schemas.js";

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
  { additionalProperties: false },
);

export function orderRoutes(
  { kernel, server, authenticator }: ModuleHost,
  ports: MarketplacePorts,
  runtime: PurchaseRuntime,
  options: { taxInclusive: boolean },
): void {
  const listingCourses = new ListingCourses();
  server.post(
    "/api/v1/orders",
    {
      preValidation: authorize(authenticator, "learner", "org_admin"),
      schema: {
        tags: ["orders"],
        summary: "Place an order; the purchase saga takes it to fulfilled or failed. Idempotency-Key required.",
        security: [{ bearer: [] }],
        headers: IdempotencyKeyHeader,
        body: PlaceOrderBody,
        response: { 201: PlacedOrderResponse },
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
        summary: "An order with its licenses, enrollments and saga step history",
        security: [{ bearer: [] }],
        params: Type.Object({ orderId: Id }),
        response: { 200: OrderViewResponse },
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
