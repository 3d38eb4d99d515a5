import { Type } from "@sinclair/typebox";
import { Instant, Nullable } from "../schemas.js";

/**
 * What the platform's own routes answer (health, ingest, ops), for the OpenAPI document. Fastify
 * serializes by these schemas too, so a field missing here would be dropped from the answer.
 */

const RetentionClass = Type.Union([Type.Literal("operational"), Type.Literal("financial"), Type.Literal("audit")]);

/** DESIGN.md §3: the envelope every event travels in, as the event log serves it. */
export const LoggedEvent = Type.Object(
  {
    eventId: Type.String(),
    type: Type.String({ description: "the wire type, with its version", examples: ["marketplace.order.placed.v1"] }),
    occurredAt: Instant,
    source: Type.String(),
    aggregateType: Type.String(),
    aggregateId: Type.String(),
    tenantId: Nullable(Type.String()),
    partitionKey: Type.String(),
    correlationId: Type.String(),
    causationId: Nullable(Type.String()),
    retentionClass: RetentionClass,
    payload: Type.Object({}, { additionalProperties: true, description: "the wire type's payload (see the AsyncAPI document)" }),
    metadata: Type.Object({}, { additionalProperties: true, description: "requestId, actorId, traceparent, idempotencyKey when known" }),
    position: Type.String({ description: "the event's place in the log: ?cursor=<position> resumes after it", pattern: "^[0-9]+$" }),
  },
  { additionalProperties: false },
);

export const EventLogPage = Type.Object(
  { items: Type.Array(LoggedEvent), nextCursor: Nullable(Type.String()) },
  { additionalProperties: false },
);

const Attempt = Type.Object({}, { additionalProperties: true, description: "one delivery attempt: attempt, at, error" });

export const DeadLetter = Type.Object(
  {
    id: Type.String(),
    queue: Type.String(),
    consumer: Type.String({ description: "the consumer that gave up, or platform.relay for an event too large to publish" }),
    eventId: Type.String(),
    type: Type.String(),
    error: Type.String({ description: "the last attempt's error" }),
    attempts: Type.Array(Attempt),
    deadAt: Instant,
    replayedAt: Nullable(Instant),
    event: Type.Object({}, { additionalProperties: true, description: "the envelope as it was consumed" }),
  },
  { additionalProperties: false },
);

export const DeadLetterPage = Type.Object(
  { items: Type.Array(DeadLetter), nextCursor: Nullable(Type.String()) },
  { additionalProperties: false },
);

export const Replayed = Type.Object(
  {
    id: Type.String(),
    status: Type.Union([Type.Literal("applied"), Type.Literal("requeued")], {
      description: "applied: the consumer ran it now; requeued: back in the relay's queue",
    }),
    replayedAt: Instant,
  },
  { additionalProperties: false },
);

const SagaStep = Type.Object(
  {
    seq: Type.Integer(),
    at: Instant,
    input: Type.String({ description: "the event or deadline that moved the saga" }),
    from: Type.String(),
    to: Type.String(),
    commands: Type.Array(Type.String()),
    note: Nullable(Type.String()),
  },
  { additionalProperties: false },
);

export const SagaPage = Type.Object(
  {
    items: Type.Array(
      Type.Object(
        {
          sagaId: Type.String(),
          type: Type.String(),
          state: Type.String(),
          correlationId: Type.String(),
          createdAt: Instant,
          updatedAt: Instant,
          steps: Type.Array(SagaStep),
        },
        { additionalProperties: false },
      ),
    ),
    nextCursor: Nullable(Type.String()),
  },
  { additionalProperties: false },
);

export const Accepted = Type.Object(
  {
    eventId: Type.String(),
    accepted: Type.Literal(true),
    duplicate: Type.Boolean({ description: "true: an event with this eventId was accepted before; nothing new was stored" }),
  },
  { additionalProperties: false, description: "Accepted: stored in the outbox; consumers apply it asynchronously" },
);

export const Liveness = Type.Object({ status: Type.Literal("ok") }, { additionalProperties: false, description: "The process is up" });

export const Readiness = Type.Object(
  {
    status: Type.Union([Type.Literal("ready"), Type.Literal("unavailable")]),
    database: Type.Boolean(),
    bus: Type.Union([Type.Literal("nats"), Type.Literal("down"), Type.Literal("in-process")]),
  },
  { additionalProperties: false },
);
