import { Type } from "@sinclair/typebox";
import { decodeKeyCursor, encodeKeyCursor } from "../../../platform/http/cursor.js";
import { Cursor, Id, IdParam, Instant, Nullable, OneOf } from "../../../platform/http/schemas.js";
import { authorize, principalOf } from "../../../platform/http/server.js";
import type { ModuleHost } from "../../../platform/module.js";
import { refuse } from "../errors.js";
import { findEndpoint } from "../endpoints/endpoints.sql.js";
import { DELIVERY_STATUSES, type DeliveryStatus } from "./delivery.domain.js";
import { deliveriesOf, requeue, type Delivery } from "./deliveries.sql.js";

const DeliveryView = Type.Object(
  {
    deliveryId: Type.String({ description: "the webhook-id header of every attempt of this delivery" }),
    eventId: Id,
    eventType: Type.String(),
    status: OneOf(DELIVERY_STATUSES),
    attempts: Type.Integer({ minimum: 0, description: "attempts since it was recorded or last replayed" }),
    nextAttemptAt: Nullable(Instant),
    lastAttemptAt: Nullable(Instant),
    responseStatus: Nullable(Type.Integer({ description: "the last attempt's HTTP status; null: no answer" })),
    responseBody: Nullable(Type.String({ description: "the start (at most 1 KiB) of the last answer's body" })),
    error: Nullable(Type.String({ description: "why the last attempt got no answer (timeout, refused address, connection error)" })),
    deliveredAt: Nullable(Instant),
    createdAt: Instant,
  },
  { additionalProperties: false },
);

const iso = (value: Date | null) => value?.toISOString() ?? null;
const deliveryView = (delivery: Delivery) => ({
  deliveryId: delivery.deliveryId,
  eventId: delivery.eventId,
  eventType: delivery.eventType,
  status: delivery.status,
  attempts: delivery.attempts,
  nextAttemptAt: iso(delivery.nextAttemptAt),
  lastAttemptAt: iso(delivery.lastAttemptAt),
  responseStatus: delivery.responseStatus,
  responseBody: delivery.responseBody,
  error: delivery.error,
  deliveredAt: iso(delivery.deliveredAt),
  createdAt: delivery.createdAt.toISOString(),
});

const notFound = (endpointId: string) => refuse({ code: "WEBHOOK.NOT_FOUND", detail: `no webhook endpoint ${endpointId}` });

/** An endpoint's deliveries (what was sent, what answered) and the replay of one of them. */
export function deliveryRoutes({ kernel, server, authenticator }: ModuleHost, wake: () => void): void {
  const managers = authorize(authenticator, "org_admin", "platform_admin");
  const tags = ["webhooks"];
  const security = [{ bearer: [] }];

  server.get(
    "/api/v1/webhooks/:endpointId/deliveries",
    {
      preValidation: managers,
      schema: {
        tags,
        operationId: "listWebhookDeliveries",
        description:
          "Org admins and platform admins, for an endpoint of the caller's tenant: each delivery with its attempts and the last response.",
        summary: "An endpoint's deliveries, newest first, with their status and last response code (?status=&limit=&cursor= pages)",
        security,
        params: Type.Object({ endpointId: IdParam }),
        querystring: Type.Object(
          {
            status: Type.Optional(OneOf(DELIVERY_STATUSES)),
            limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
            cursor: Type.Optional(Cursor()),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({ items: Type.Array(DeliveryView), nextCursor: Nullable(Type.String()) }, { additionalProperties: false }),
        },
      },
    },
    async (request) => {
      const { tenantId } = principalOf(request);
      const { endpointId } = request.params;
      const limit = request.query.limit ?? 50;
      const before = request.query.cursor === undefined ? undefined : decodeKeyCursor(request.query.cursor);
      if (before !== undefined && !/^\d{1,18}$/.test(before))
        throw refuse({ code: "REQUEST.CURSOR_INVALID", detail: "the cursor was not issued by this endpoint", field: "querystring/cursor" });
      const rows = await kernel.db.tx(
        async (tx) => {
          if (!(await findEndpoint(tx, endpointId))) throw notFound(endpointId);
          return deliveriesOf(tx, endpointId, { before, status: request.query.status as DeliveryStatus | undefined, limit: limit + 1 });
        },
        { tenantId },
      );
      const page = rows.slice(0, limit);
      return { items: page.map(deliveryView), nextCursor: rows.length > limit ? encodeKeyCursor(page.at(-1)!.seq) : null };
    },
  );

  server.post(
    "/api/v1/webhooks/:endpointId/deliveries/:deliveryId/retry",
    {
      preValidation: managers,
      schema: {
        tags,
        operationId: "retryWebhookDelivery",
        summary: "Send a delivery again (a dead one, or a delivered one the receiver lost) with the same webhook-id",
        description:
          "The delivery becomes pending with a fresh retry schedule and is sent at once, after any earlier pending delivery of the " +
          "same partition key. Only a dead or delivered delivery can be retried: a pending one is still on its schedule " +
          "(WEBHOOK.DELIVERY_PENDING, 409). A disabled endpoint sends nothing: WEBHOOK.ENDPOINT_DISABLED.",
        security,
        params: Type.Object({ endpointId: IdParam, deliveryId: IdParam }),
        response: { 202: DeliveryView },
      },
    },
    async (request, reply) => {
      const { tenantId } = principalOf(request);
      const { endpointId, deliveryId } = request.params;
      const delivery = await kernel.db.tx(
        async (tx) => {
          const endpoint = await findEndpoint(tx, endpointId);
          if (!endpoint) throw notFound(endpointId);
          if (endpoint.status !== "enabled")
            throw refuse({ code: "WEBHOOK.ENDPOINT_DISABLED", detail: `endpoint ${endpointId} is disabled (${endpoint.disabledReason})` });
          const requeued = await requeue(tx, endpointId, deliveryId, kernel.clock.now());
          if (requeued.kind === "not_found")
            throw refuse({ code: "WEBHOOK.DELIVERY_NOT_FOUND", detail: `no delivery ${deliveryId} of endpoint ${endpointId}` });
          if (requeued.kind === "pending")
            throw refuse({
              code: "WEBHOOK.DELIVERY_PENDING",
              detail: `delivery ${deliveryId} is still pending: it is sent on its own schedule; only a dead or delivered one can be retried`,
            });
          return requeued.delivery;
        },
        { tenantId },
      );
      wake();
      return reply.code(202).send(deliveryView(delivery));
    },
  );
}
