import { Type, type TSchema } from "@sinclair/typebox";

/**
 * The JSON schemas the AsyncAPI document shares between its messages: the envelope every event
 * travels in (DESIGN.md §3, `Envelope` in envelope.ts) and the NATS headers the relay sets. A
 * message's payload is the envelope narrowed to its type, with its own schema under `payload`.
 */
const Text = Type.String({ minLength: 1 });

export const EnvelopeSchema = Type.Object(
  {
    eventId: Type.String({
      minLength: 1,
      description: "Unique per event; the NATS message id (deduplication) and the key consumers keep to apply an event once.",
    }),
    type: Type.String({ minLength: 1, description: "The wire type, version included: `marketplace.order.placed.v1`." }),
    occurredAt: Type.String({ format: "date-time", description: "When the fact happened, by the producer's clock (ISO-8601, UTC)." }),
    source: Type.String({ minLength: 1, description: "The producing context (billing, marketplace, enrollment, …)." }),
    aggregateType: Text,
    aggregateId: Text,
    tenantId: Type.Union([Type.String({ minLength: 1 }), Type.Null()], {
      description: "The tenant the event belongs to; null for platform-wide facts.",
    }),
    partitionKey: Type.String({
      minLength: 1,
      description: "Events with the same key are published in the order they were written; see each message's x-ghasi-partition-key.",
    }),
    correlationId: Type.String({ minLength: 1, description: "The flow the event belongs to: an order's events carry its orderId." }),
    causationId: Type.Union([Type.String({ minLength: 1 }), Type.Null()], {
      description: "The eventId of the event whose handling produced this one; null when a request produced it.",
    }),
    retentionClass: Type.Union([Type.Literal("operational"), Type.Literal("financial"), Type.Literal("audit")], {
      description: "How long the stream keeps it; names the stream (see x-ghasi-stream).",
    }),
    payload: Type.Unknown({ description: "The type's own fields: each message narrows it to its schema." }),
    metadata: Type.Object(
      {
        requestId: Type.Optional(Type.String({ description: "The HTTP request that started the flow." })),
        idempotencyKey: Type.Optional(Type.String({ description: "That request's Idempotency-Key, when it had one." })),
        actorId: Type.Optional(Type.String({ description: "The user whose request started the flow." })),
        traceparent: Type.Optional(Type.String({ description: "W3C trace context of the span that produced the event." })),
      },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false, description: "The envelope every event travels in, on NATS and through ingest alike." },
);

/** The headers the relay puts on each NATS message: enough to route and trace one without parsing it. */
export const HeadersSchema = Type.Object(
  {
    "Nats-Msg-Id": Type.String({
      description: "The envelope's eventId: JetStream drops a second publish of it within the stream's window.",
    }),
    "Ghasi-Type": Type.String({ description: "The envelope's wire type, so a subscriber routes a message without parsing it." }),
    "Content-Type": Type.Literal("application/json"),
    traceparent: Type.Optional(Type.String({ description: "The envelope's metadata.traceparent (W3C), when it has one." })),
  },
  { description: "NATS message headers." },
);

/** A TypeBox schema as plain JSON Schema: TypeBox's own markers are symbols, which JSON leaves out. */
export function plainSchema(schema: TSchema): Record<string, unknown> {
  return JSON.parse(JSON.stringify(schema)) as Record<string, unknown>;
}
