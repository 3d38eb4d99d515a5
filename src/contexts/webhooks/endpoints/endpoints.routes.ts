import { Type } from "@sinclair/typebox";
import { decodeKeyCursor, encodeKeyCursor } from "../../../platform/http/cursor.js";
import { IdempotencyKeyHeader, idempotent, keyedRequest } from "../../../platform/http/idempotency.js";
import { Cursor, IdParam, Nullable } from "../../../platform/http/schemas.js";
import { authorize, principalOf } from "../../../platform/http/server.js";
import type { ModuleHost } from "../../../platform/module.js";
import { refuse } from "../errors.js";
import type { EndpointRules } from "./endpoint.domain.js";
import { CreatedEndpointView, EndpointView, endpointView } from "./endpoint-views.js";
import { disableEndpoint, endpointSecret, endpointsOf, findEndpoint } from "./endpoints.sql.js";
import { decideRegistration, registerEndpoint } from "./register-endpoint.js";

export const EndpointParams = Type.Object({ endpointId: IdParam });

/**
 * A tenant's webhook endpoints, managed by its org admins (or a platform admin, for the tenant of
 * their token). Every read and write runs in the caller's tenant scope: another tenant's endpoint is
 * a 404, never a 403 that would say it exists.
 */
export function endpointRoutes({ kernel, server, authenticator }: ModuleHost, rules: () => EndpointRules, enabled: boolean): void {
  const managers = authorize(authenticator, "org_admin", "platform_admin");
  const tags = ["webhooks"];
  const security = [{ bearer: [] }];

  server.post(
    "/api/v1/webhooks",
    {
      preValidation: managers,
      schema: {
        tags,
        operationId: "createWebhookEndpoint",
        summary: "Register a webhook endpoint for the caller's tenant",
        description:
          "Deliveries of the tenant's events whose wire type matches `events` (a wire type, or a prefix ending with a dot) are " +
          "POSTed to `url`, signed as Standard Webhooks says (webhook-id, webhook-timestamp, webhook-signature). The secret is " +
          "generated when not given (whsec_ + base64 of 32 bytes) and shown only in this answer. With an Idempotency-Key, a " +
          "retried request (same key, same body) answers the endpoint the first one made, with its secret, and makes no other. " +
          "Webhooks are off unless the deployment sets WEBHOOKS_ENABLED=true: otherwise 409 WEBHOOK.NOT_ENABLED.",
        security,
        headers: IdempotencyKeyHeader,
        body: Type.Object(
          {
            url: Type.String({ minLength: 1, maxLength: 2000, description: "http or https; loopback and private addresses are refused" }),
            events: Type.Array(Type.String({ minLength: 1, maxLength: 200 }), { minItems: 1, maxItems: 100 }),
            secret: Type.Optional(Type.String({ maxLength: 200, description: "whsec_ + base64 of 24 to 64 bytes" })),
          },
          { additionalProperties: false },
        ),
        response: { 201: CreatedEndpointView },
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      const { tenantId } = principal;
      // An endpoint nothing would deliver to is refused, not accepted in silence.
      if (!enabled)
        throw refuse({ code: "WEBHOOK.NOT_ENABLED", detail: "webhooks are off in this deployment (WEBHOOKS_ENABLED=true turns them on)" });
      const registration = decideRegistration(request.body, rules());
      // The stored answer leaves the secret out (it stays only in the endpoints table); a replay reads it there.
      const created = await idempotent(kernel.db, keyedRequest(request, principal), { required: false, tenantId }, async (tx) => {
        const endpoint = await registerEndpoint(tx, principal, registration, kernel.clock.now());
        return { status: 201, body: endpointView(endpoint) };
      });
      const secret = created.replayed
        ? await kernel.db.tx((tx) => endpointSecret(tx, created.body.endpointId), { tenantId })
        : registration.secret;
      if (secret === null) throw refuse({ code: "WEBHOOK.NOT_FOUND", detail: `no webhook endpoint ${created.body.endpointId}` });
      return reply.code(201).send({ ...created.body, secret });
    },
  );

  server.get(
    "/api/v1/webhooks",
    {
      preValidation: managers,
      schema: {
        tags,
        operationId: "listWebhookEndpoints",
        description: "Org admins and platform admins: the endpoints of the caller's tenant only.",
        summary: "The caller's tenant's webhook endpoints, oldest first (?limit=&cursor= pages), disabled ones included",
        security,
        querystring: Type.Object(
          { limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })), cursor: Type.Optional(Cursor()) },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({ items: Type.Array(EndpointView), nextCursor: Nullable(Type.String()) }, { additionalProperties: false }),
        },
      },
    },
    async (request) => {
      const { tenantId } = principalOf(request);
      const limit = request.query.limit ?? 50;
      const after = request.query.cursor === undefined ? undefined : decodeKeyCursor(request.query.cursor);
      const rows = await kernel.db.tx((tx) => endpointsOf(tx, tenantId, { after, limit: limit + 1 }), { tenantId });
      const page = rows.slice(0, limit);
      return { items: page.map(endpointView), nextCursor: rows.length > limit ? encodeKeyCursor(page.at(-1)!.endpointId) : null };
    },
  );

  server.get(
    "/api/v1/webhooks/:endpointId",
    {
      preValidation: managers,
      schema: {
        tags,
        operationId: "getWebhookEndpoint",
        description: "Org admins and platform admins: an endpoint of the caller's tenant; another tenant's is not found (404).",
        summary: "One webhook endpoint of the caller's tenant (without its secret)",
        security,
        params: EndpointParams,
        response: { 200: EndpointView },
      },
    },
    async (request) => {
      const { tenantId } = principalOf(request);
      const endpoint = await kernel.db.tx((tx) => findEndpoint(tx, request.params.endpointId), { tenantId });
      if (!endpoint) throw refuse({ code: "WEBHOOK.NOT_FOUND", detail: `no webhook endpoint ${request.params.endpointId}` });
      return endpointView(endpoint);
    },
  );

  server.delete(
    "/api/v1/webhooks/:endpointId",
    {
      preValidation: managers,
      schema: {
        tags,
        operationId: "deleteWebhookEndpoint",
        summary: "Disable a webhook endpoint: nothing more is recorded or sent to it; its deliveries stay listed",
        description: "Idempotent: deleting a disabled endpoint answers it as it is.",
        security,
        params: EndpointParams,
        response: { 200: EndpointView },
      },
    },
    async (request) => {
      const { tenantId } = principalOf(request);
      const endpoint = await kernel.db.tx((tx) => disableEndpoint(tx, request.params.endpointId, "deleted", kernel.clock.now()), {
        tenantId,
      });
      if (!endpoint) throw refuse({ code: "WEBHOOK.NOT_FOUND", detail: `no webhook endpoint ${request.params.endpointId}` });
      return endpointView(endpoint);
    },
  );
}
