import { Type } from "@sinclair/typebox";
import type { Envelope, EventMetadata } from "../../events/envelope.js";
import { MAX_PAYLOAD_DEPTH, nestsDeeperThan, storedEnvelopeBytes } from "../../events/envelope-limits.js";
import type { Kernel } from "../../kernel.js";
import { RejectionError } from "../../result.js";
import type { Authenticator } from "../auth.js";
import { authorize, type HttpServer } from "../server.js";
import { ShortText } from "../schemas.js";
import { problemResponses } from "../openapi.js";
import { Accepted } from "./platform-responses.js";
import { isTraceparent } from "../../trace-context.js";

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
      schema: {
        tags: ["platform"],
        operationId: "ingestEvent",
        summary: "Accept an upstream event envelope",
        description:
          "For upstream services (role service or platform_admin): an event this engine consumes (catalog.*, content.*, identity.*), handled exactly as if it arrived on the bus. Deduplicated by eventId: a repeat answers 202 with duplicate true. 422 EVENT.TYPE_NOT_ACCEPTED for a type it does not consume; 400 EVENT.PAYLOAD_INVALID when the payload breaks the type's schema; 413 EVENT.TOO_LARGE.",
        security: [{ bearer: [] }],
        body: IncomingEnvelope,
        response: { 202: Accepted, ...problemResponses(413) },
      },
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
      // The producer's own trace when it sent a valid one; otherwise this request's span, so no event is traceless.
      const given = (incoming.metadata as { traceparent?: unknown } | undefined)?.traceparent;
      const envelope: Envelope = {
        eventId: incoming.eventId,
        type: incoming.type,
        occurredAt: new Date(incoming.occurredAt).toISOString(),
        // What the wire type fixes (producer, aggregate type, retention) comes from the registry, so an
        // ingested event is the envelope the AsyncAPI document describes whatever the sender wrote.
        source: definition.source,
        aggregateType: definition.aggregateType,
        aggregateId: incoming.aggregateId ?? definition.aggregateId(payload),
        tenantId: incoming.tenantId ?? null,
        partitionKey: incoming.partitionKey ?? definition.partitionKey(payload),
        correlationId: incoming.correlationId ?? incoming.eventId,
        causationId: incoming.causationId ?? null,
        retentionClass: definition.retentionClass,
        payload,
        metadata: {
          ...upstreamMetadata(incoming.metadata),
          requestId: request.id,
          traceparent: isTraceparent(given) ? given : request.traceparent,
        },
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

/** The envelope's metadata has four text fields; anything else an upstream sender put there is dropped. */
function upstreamMetadata(given: Record<string, unknown> | undefined): EventMetadata {
  const kept: EventMetadata = {};
  if (typeof given?.actorId === "string") kept.actorId = given.actorId;
  if (typeof given?.idempotencyKey === "string") kept.idempotencyKey = given.idempotencyKey;
  return kept;
}
