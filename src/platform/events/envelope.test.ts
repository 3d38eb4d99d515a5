import { describe, expect, it } from "vitest";
import { parseTraceparent } from "../trace-context.js";
import { contextFrom, systemMetadata, type Envelope } from "./envelope.js";

const cause = (metadata: Envelope["metadata"]): Envelope => ({
  eventId: "evt_cause",
  type: "billing.payment.succeeded.v1",
  occurredAt: "2026-03-01T09:00:00.000Z",
  source: "billing",
  aggregateType: "payment",
  aggregateId: "pay_1",
  tenantId: "ten_1",
  partitionKey: "ord_1",
  correlationId: "ord_1",
  causationId: null,
  retentionClass: "financial",
  payload: {},
  metadata,
});

describe("an event caused by an event", () => {
  it("keeps the cause's flow, request, actor and trace, on a span of its own; the cause's idempotency key stays behind", () => {
    const traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
    const context = contextFrom(cause({ requestId: "req_1", actorId: "usr_1", idempotencyKey: "key_1", traceparent }));
    expect(context).toMatchObject({ correlationId: "ord_1", causationId: "evt_cause", metadata: { requestId: "req_1", actorId: "usr_1" } });
    expect(context.metadata).not.toHaveProperty("idempotencyKey");
    const hop = parseTraceparent(context.metadata!.traceparent)!;
    expect(hop.traceId).toBe("4bf92f3577b34da6a3ce929d0e0e4736");
    expect(hop.spanId).not.toBe("00f067aa0ba902b7");
  });

  it("a cause without a trace gives none (none is invented mid-flow)", () => {
    expect(contextFrom(cause({})).metadata).toEqual({});
    expect(contextFrom(cause({ traceparent: "garbage" })).metadata).toEqual({ traceparent: "garbage" });
  });
});

describe("work on nobody's request", () => {
  it("starts a new trace each time, actor system unless named", () => {
    const [a, b] = [systemMetadata(), systemMetadata("enrollment.expiry")];
    expect(a.actorId).toBe("system");
    expect(b.actorId).toBe("enrollment.expiry");
    expect(a).not.toHaveProperty("requestId");
    expect(parseTraceparent(a.traceparent)!.traceId).not.toBe(parseTraceparent(b.traceparent)!.traceId);
  });
});
