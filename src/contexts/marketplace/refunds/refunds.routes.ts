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
import { Id, LongText } from "../../../platform/http/schemas.js";

const RefundBody = Type.Object(
  {
    reason: LongText,
    seats: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000_000 })),
  },
  { additionalProperties: false },
);

export function refundRoutes({ kernel, server, authenticator }: ModuleHost, ports: MarketplacePorts, runtime: RefundRuntime): void {
  server.post(
    "/api/v1/orders/:orderId/refund",
    {
      preValidation: authorize(authenticator),
      schema: {
        tags: ["orders"],
        summary:
          "Refund an order (the buyer or platform_admin) before its refund deadline and only for what is not consumed: unassigned seats of a seat pack " +
          "(all of them, or `seats`), a one-time purchase whose course is not completed. 202 with the refund (refund_pending while billing works, " +
          "refunded once the money is back); a repeated request returns the same refund. 409 REFUND.WINDOW_CLOSED / REFUND.SEATS_CONSUMED / REFUND.NOT_REFUNDABLE.",
        security: [{ bearer: [] }],
        headers: IdempotencyKeyHeader,
        params: Type.Object({ orderId: Id }),
        body: RefundBody,
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
      return reply.code(result.status).send(result.body);
    },
  );
}
