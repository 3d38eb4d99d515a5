/** DESIGN.md §3: the one JSON envelope every event travels in, embedded or on NATS. */
export type RetentionClass = "operational" | "financial" | "audit";

export interface EventMetadata {
  requestId?: string;
  idempotencyKey?: string;
  actorId?: string;
  traceparent?: string;
}

export interface Envelope<P = unknown, T extends string = string> {
  eventId: string;
  type: T;
  occurredAt: string;
  source: string;
  aggregateType: string;
  aggregateId: string;
  tenantId: string | null;
  partitionKey: string;
  correlationId: string;
  causationId: string | null;
  retentionClass: RetentionClass;
  payload: P;
  metadata: EventMetadata;
}

/** Who and what caused an event: carried from the request or the consumed event into new envelopes. */
export interface EventContext {
  correlationId: string;
  causationId?: string | null;
  metadata?: EventMetadata;
}

/** A context derived from a consumed event, so a flow keeps its correlationId across hops. */
export function contextFrom(cause: Envelope): EventContext {
  return {
    correlationId: cause.correlationId,
    causationId: cause.eventId,
    metadata: { requestId: cause.metadata.requestId, actorId: cause.metadata.actorId, traceparent: cause.metadata.traceparent },
  };
}
