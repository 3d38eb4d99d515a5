import { Type } from "@sinclair/typebox";
import { hasRole } from "../../../platform/http/auth.js";
import { IdempotencyKeyHeader, idempotent, keyedRequest } from "../../../platform/http/idempotency.js";
import { authorize, principalOf } from "../../../platform/http/server.js";
import type { ModuleHost } from "../../../platform/module.js";
import type { MarketplacePorts } from "../ports.js";
import type { RefundRuntime } from "./refund-flow.js";
import { requestRefund } from "./request-refund.js";
import { requestMetadataOf } from "../../../platform/http/request-context.js";
import { SYSTEM_SCOPE } from "../../../platform/db/db.js";
import { Component, CurrencyCode, Id, LongText, MinorUnits } from "../../../platform/http/schemas.js";
import { Json } from "../../../platform/http/openapi.js";

const RefundBody = Type.Object(
  {
    reason: LongText,
    seats: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000_000 })),
  },
  { additionalProperties: false, examples: [{ reason: "bought too many seats", seats: 5 }] },
);

/** refundView (request-refund.ts); Fastify serializes by this schema, so keep them in step. */
const RefundView = Type.Object(
  {
    refundId: Type.String(),
    orderId: Type.String(),
    status: Type.Union([Type.Literal("refund_pending"), Type.Literal("refunded"), Type.Literal("failed")], {
      description: "refund_pending while billing returns the money; refunded once it has; failed when billing could not",
    }),
    refund: Type.Object(
      {
        amount: MinorUnits("what goes back to the buyer, in minor units"),
        currency: CurrencyCode,
        seats: Type.Optional(Type.Integer({ description: "the seats refunded (a seat pack)" })),
      },
      { additionalProperties: false },
    ),
    partial: Type.Boolean({ description: "something stays with the buyer (a seat pack keeps its assigned seats)" }),
  },
  {
    additionalProperties: false,
    examples: [
      {
        refundId: "rfn_01J9Z6E5",
        orderId: "ord_01J9Z3Y2",
        status: "refund_pending",
        refund: { amount: 5000, currency: "USD", seats: 5 },
        partial: true,
      },
    ],
  },
);

export function refundRoutes({ kernel, server, authenticator }: ModuleHost, ports: MarketplacePorts, runtime: RefundRuntime): void {
  server.post(
    "/api/v1/orders/:orderId/refund",
    {
      preValidation: authorize(authenticator),
      schema: {
        tags: ["orders"],
        operationId: "refundOrder",
        description:
          "The buyer or a platform admin; the refund's events follow in the order's saga. The same Idempotency-Key and body replay the first answer.",
        summary:
          "Refund an order (the buyer or platform_admin) before its refund deadline and only for what is not consumed: unassigned seats of a seat pack " +
          "(all of them, or `seats`), a one-time purchase whose course is not completed. 202 with the refund (refund_pending while billing works, " +
          "refunded once the money is back); a repeated request returns the same refund. 409 REFUND.WINDOW_CLOSED / REFUND.SEATS_CONSUMED / REFUND.NOT_REFUNDABLE.",
        security: [{ bearer: [] }],
        headers: IdempotencyKeyHeader,
        params: Type.Object({ orderId: Id }),
        body: RefundBody,
        response: { 202: Json(Component(server, "Refund", RefundView), "The refund, accepted (or the order's earlier refund)") },
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      const asAdmin = hasRole(principal, "platform_admin");
      const result = await idempotent(
        kernel.db,
        keyedRequest(request, principal),
        // System scope: the use case checks the caller is the order's buyer (same tenant) or a platform admin.
        { required: false, tenantId: SYSTEM_SCOPE },
        async (tx) => {
          const view = await requestRefund(kernel, ports, runtime, tx, {
            orderId: request.params.orderId,
            requestedBy: principal.userId,
            tenantId: principal.tenantId,
            asAdmin,
            reason: request.body.reason,
            ...(request.body.seats !== undefined ? { seats: request.body.seats } : {}),
            metadata: requestMetadataOf(request, principal),
          });
          return { status: 202, body: view };
        },
      );
      return reply.code(result.status as 202).send(result.body);
    },
  );
}
