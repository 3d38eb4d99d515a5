import { randomBytes } from "node:crypto";

/**
 * W3C Trace Context (https://www.w3.org/TR/trace-context/), the `traceparent` header only:
 * `00-<32 hex trace id>-<16 hex parent id>-<2 hex flags>`. Events carry it in their metadata so a
 * request can be followed into every event it caused, across NATS and other services. Hand-written
 * until OpenTelemetry arrives (issue 23): parsing and minting ids is all we need, and it must cost
 * next to nothing per request.
 */
export interface TraceParent {
  traceId: string;
  /** The span this one descends from (the caller's), or our own span once we made a child. */
  spanId: string;
  flags: string;
}

/**
 * Version 00 exactly, lower-case hex only (the spec: "vendors MUST NOT" send upper case, and a
 * receiver may not guess at a future version's layout). Anything else starts a new trace.
 */
const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;
const ZERO_TRACE = "0".repeat(32);
const ZERO_SPAN = "0".repeat(16);

/** The header's parts, or null when it is absent or not a valid version-00 traceparent. */
export function parseTraceparent(header: unknown): TraceParent | null {
  if (typeof header !== "string" || header.length !== 55) return null;
  const match = TRACEPARENT.exec(header);
  if (!match) return null;
  const [, traceId, spanId, flags] = match as unknown as [string, string, string, string];
  // All-zero ids are invalid by the spec: a caller sending them has no trace to join.
  if (traceId === ZERO_TRACE || spanId === ZERO_SPAN) return null;
  return { traceId, spanId, flags };
}

export function formatTraceparent(trace: TraceParent): string {
  return `00-${trace.traceId}-${trace.spanId}-${trace.flags}`;
}

export function isTraceparent(value: unknown): value is string {
  return parseTraceparent(value) !== null;
}

/** Random ids, not all zero (a 2^-64 chance, checked anyway because the spec forbids it). */
function randomHex(bytes: number): string {
  for (;;) {
    const hex = randomBytes(bytes).toString("hex");
    if (!/^0+$/.test(hex)) return hex;
  }
}

/** A new trace (flags 01: sampled), for a request without a valid traceparent or a system-initiated flow. */
export function newTrace(): TraceParent {
  return { traceId: randomHex(16), spanId: randomHex(8), flags: "01" };
}

/** A child span of `parent`: same trace and flags, a new span id. */
export function childOf(parent: TraceParent): TraceParent {
  return { traceId: parent.traceId, spanId: randomHex(8), flags: parent.flags };
}

/**
 * The traceparent of this hop given the incoming one: a child span when the header is valid, a new
 * trace otherwise (a malformed header is dropped, never repaired).
 */
export function continueTrace(header: unknown): string {
  const parent = parseTraceparent(header);
  return formatTraceparent(parent ? childOf(parent) : newTrace());
}

/** The trace id of a traceparent, or undefined when it is not a valid one. */
export function traceIdOf(traceparent: unknown): string | undefined {
  return parseTraceparent(traceparent)?.traceId;
}
