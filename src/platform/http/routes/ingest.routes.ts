import { Type } from "@sinclair/typebox";
import type { Envelope } from "../../events/envelope.js";
import { MAX_PAYLOAD_DEPTH, nestsDeeperThan, storedEnvelopeBytes } from "../../events/envelope-limits.js";
import type { Kernel } from "../../kernel.js";
import { RejectionError } from "../../result.js";
import type { Authenticator } from "../auth.js";
import { authorize, type HttpServer } from "../server.js";
import { ShortText } from "../schemas.js";

/** The envelope of DESIGN §3 as an upstream service sends it. */
export const IncomingEnvelope = Type.Object(
  {
    eventId: ShortText,
    type: Type.String({ pattern: "^[a-z_]+(\\.[a-z_]+)+\\.v[0-9]+$", maxLength: 200 }),
    occurredAt: Type.String({ format: "date-time" }),
    source: ShortText,
    aggregateType: Type.Optional(ShortText),
    aggregateId: Type.Optional(ShortText),
    tenantId: Type.Optional(Type.Union([ShortText, Type.Null()])),
    partitionKey: Type.Optional(ShortText),
    correlationId: Type.Optional(ShortText),
    causationId: Type.Optional(Type.Union([ShortText, Type.Null()])),
    retentionClass: Type.Optional(Type.Union([Type.Literal("operational"), Type.Literal("financial"), Type.Literal("audit")])),
    payload: Type.Object({}, { additionalProperties: true }),
    metadata: Type.Optional(Type.Object({}, { additionalProperties: true })),
  },
  { additionalProperties: false },
);

/**
 * Upstream events in over HTTP, "exactly as if they arrived on the bus": they are written to the
 * outbox (deduplicated by eventId) and reach consumers through the same relay, inbox and retries.
 */
export function ingestRoutes(server: HttpServer, kernel: Kernel, authenticator: Authenticator): void {
  server.post(
    "/api/v1/events/ingest",
    {
      preValidation: authorize(authenticator, "service", "platform_admin"),
      schema: { tags: ["platform"], summary: "Accept an upstream event envelope", security: [{ bearer: [] }], body: IncomingEnvelope },
    },
    async (request, reply) => {
      const incoming = request.body;
      // Before anything walks the payload recursively (the contract's validator, the jsonb parser).
      for (const part of ["payload", "metadata"] as const) {
        if (nestsDeeperThan(incoming[part], MAX_PAYLOAD_DEPTH)) {
          throw new RejectionError({
            code: "EVENT.TOO_DEEP",
            detail: `the ${part} nests deeper than ${MAX_PAYLOAD_DEPTH} levels`,
            field: `body/${part}`,
          });
        }
      }
      const definition = kernel.registry.get(incoming.type);
      if (!definition || !definition.upstream) {
        throw new RejectionError({
          code: "EVENT.TYPE_NOT_ACCEPTED",
          detail: `${incoming.type} is not an upstream event this engine consumes`,
          field: "body/type",
        });
      }
      const errors = kernel.registry.validate(incoming.type, incoming.payload) ?? [];
      if (errors.length > 0) {
        throw new RejectionError({
          code: "EVENT.PAYLOAD_INVALID",
          detail: errors.map((e) => `payload${e.path} ${e.message}`).join("; "),
          field: `body/payload${errors[0]!.path}`,
        });
      }
      const payload = incoming.payload as never;
      const envelope: Envelope = {
        eventId: incoming.eventId,
        type: incoming.type,
        occurredAt: new Date(incoming.occurredAt).toISOString(),
        source: incoming.source,
        aggregateType: incoming.aggregateType ?? definition.aggregateType,
        aggregateId: incoming.aggregateId ?? definition.aggregateId(payload),
        tenantId: incoming.tenantId ?? null,
        partitionKey: incoming.partitionKey ?? definition.partitionKey(payload),
        correlationId: incoming.correlationId ?? incoming.eventId,
        causationId: incoming.causationId ?? null,
        retentionClass: incoming.retentionClass ?? definition.retentionClass,
        payload,
        metadata: { ...(incoming.metadata ?? {}), requestId: request.id },
      };
      // The bus refuses a message over its max_payload, so such an event could never reach a consumer.
      const bytes = storedEnvelopeBytes(envelope);
      const limit = kernel.maxEventBytes();
      if (bytes > limit)
        throw new RejectionError({
          code: "EVENT.TOO_LARGE",
          detail: `the envelope is ${bytes} bytes as stored; at most ${limit} are accepted`,
          field: "body",
        });
      const stored = await kernel.db.tx((tx) => kernel.outbox.store(tx, [envelope]));
      return reply.code(202).send({ eventId: incoming.eventId, accepted: true, duplicate: stored === 0 });
    },
  );
}
