import { childOf, formatTraceparent, newTrace, parseTraceparent } from "../trace-context.js";

/** DESIGN.md §3: the one JSON envelope every event travels in, embedded or on NATS. */
export type RetentionClass = "operational" | "financial" | "audit";

/**
 * Who asked and in which trace (docs/tracing.md). Every event published while handling a request
 * carries the request's requestId, actorId (the caller's user id) and traceparent (the request's
 * span); an event caused by an event carries its cause's, on a span of its own hop.
 */
export interface EventMetadata {
  requestId?: string;
  idempotencyKey?: string;
  actorId?: string;
  /** W3C traceparent: `00-<trace id>-<span id>-<flags>`. */
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

/**
 * The same metadata on a new span of the same trace: one hop further (a consumer, a saga step).
 * Without a valid traceparent there is no trace to continue, and none is invented here.
 */
export function withChildSpan(metadata: EventMetadata): EventMetadata {
  const parent = parseTraceparent(metadata.traceparent);
  return parent ? { ...metadata, traceparent: formatTraceparent(childOf(parent)) } : metadata;
}

/**
 * The metadata of work the system does on nobody's request (a renewal, an expiry sweep): a new trace
 * each time, no request id, and the actor that acted ("system" unless a worker has its own name).
 */
export function systemMetadata(actorId = "system"): EventMetadata {
  return { actorId, traceparent: formatTraceparent(newTrace()) };
}

/**
 * A context derived from a consumed event, so a flow keeps its correlationId, requestId, actor and
 * trace across hops. The idempotency key is the cause's request's, not this hop's, and stays behind.
 */
export function contextFrom(cause: Envelope): EventContext {
  const { requestId, actorId, traceparent } = cause.metadata;
  return {
    correlationId: cause.correlationId,
    causationId: cause.eventId,
    metadata: withChildSpan({
      ...(requestId !== undefined ? { requestId } : {}),
      ...(actorId !== undefined ? { actorId } : {}),
      ...(traceparent !== undefined ? { traceparent } : {}),
    }),
  };
}
