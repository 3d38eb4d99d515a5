import { connect, type NatsConnection } from "@nats-io/transport-node";
import { Ajv, type ValidateFunction } from "ajv";
import addFormatsModule from "ajv-formats";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RETRY_AFTER_MS } from "../../src/contexts/webhooks/deliveries/delivery.domain.js";
import { openShop, order, sys, type Shop } from "../orders/purchase-support.js";
import { refundableOffer } from "../refunds/refund-support.js";
import { onNats } from "../support/test-app.js";
import { Receiver } from "../webhooks/receiver.js";

/**
 * Issue 21's "must show": a purchase, a seat assignment and a refund, each sent with its own W3C
 * traceparent and request id, observed from outside as an integrator would — by a NATS subscriber
 * (PostgreSQL + NATS runs) and by two webhook endpoints on 127.0.0.1. Every event of the tenant
 * validates against its payload schema in the served AsyncAPI document, carries the trace id and
 * request id of the request that caused it, and reaches each endpoint once; the first delivery an
 * endpoint refuses comes again with the same webhook-id.
 */

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;
const TENANT = "ten_buyer";
const REQUESTS = {
  purchase: { requestId: "req_observed_purchase", traceId: "4bf92f3577b34da6a3ce929d0e0e4736" },
  seats: { requestId: "req_observed_seats", traceId: "0af7651916cd43dd8448eb211c80319c" },
  refund: { requestId: "req_observed_refund", traceId: "5b8aa5a2d2c872e8321cf37308d69df2" },
} as const;
const headersOf = (step: keyof typeof REQUESTS, extra: Record<string, string> = {}) => ({
  traceparent: `00-${REQUESTS[step].traceId}-b7ad6b7169203331-01`,
  "x-request-id": REQUESTS[step].requestId,
  ...extra,
});
const traceIdOf = (traceparent: unknown) => /^00-([0-9a-f]{32})-[0-9a-f]{16}-[0-9a-f]{2}$/.exec(String(traceparent))?.[1];

interface Observed {
  eventId: string;
  type: string;
  tenantId: string | null;
  payload: unknown;
  metadata: { requestId?: string; traceparent?: string };
}

let shop: Shop;
let first: Receiver;
let second: Receiver;
let nc: NatsConnection | null = null;
const onBus: Array<{ subject: string; headers: Record<string, string>; event: Observed }> = [];
let tenantEvents: Observed[] = [];
let refusedOnce: { eventId: string; webhookId: string } | null = null;

async function deliver(): Promise<void> {
  await shop.t.settle();
  await shop.t.app.kernel.settle();
}

beforeAll(async () => {
  process.env.WEBHOOKS_ALLOW_PRIVATE_URLS = "true";
  try {
    shop = await openShop();
  } finally {
    delete process.env.WEBHOOKS_ALLOW_PRIVATE_URLS;
  }
  const bus = shop.t.app.kernel.bus;
  if (bus) {
    nc = await connect({ servers: process.env.NATS_URL! });
    const subscription = nc.subscribe(bus.subject("x").replace(/x$/, ">"));
    void (async () => {
      for await (const message of subscription) {
        const headers: Record<string, string> = {};
        for (const [key] of message.headers ?? []) headers[key.toLowerCase()] = message.headers!.get(key);
        onBus.push({ subject: message.subject, headers, event: message.json<Observed>() });
      }
    })();
  }
  first = await Receiver.start();
  second = await Receiver.start();
  for (const receiver of [first, second]) {
    const created = await shop.http("POST", "/api/v1/webhooks", {
      token: shop.orgAdmin,
      body: { url: receiver.url, events: ["marketplace.", "billing.", "enrollment.", "tenant."] },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    receiver.secret = created.body.secret;
  }
  // The first endpoint refuses the first delivery it gets, once: the retry must carry the same webhook-id.
  first.answer = (event) => {
    if (refusedOnce) return 200;
    refusedOnce = { eventId: event.eventId, webhookId: "" };
    return 500;
  };

  const offer = await refundableOffer(shop, { kind: "seat_pack", amount: 100, currency: "USD", seats: 1 });
  const placed = await shop.http("POST", "/api/v1/orders", {
    token: shop.orgAdmin,
    headers: headersOf("purchase", { "idempotency-key": "observed-flow-purchase" }),
    body: { items: [{ listingId: offer.listingId, planId: offer.planId, quantity: 2 }], payment: { method: "card", token: "tok_visa" } },
  });
  expect(placed.status, JSON.stringify(placed.body)).toBe(201);
  let view = await order(shop, placed.body.orderId);
  for (let i = 0; i < 100 && view.status !== "fulfilled"; i++) {
    await deliver();
    view = await order(shop, placed.body.orderId);
  }
  expect(view.status).toBe("fulfilled");
  const seated = await shop.http("POST", `/api/v1/licenses/${view.licenseIds[0]}/seats`, {
    token: shop.orgAdmin,
    headers: headersOf("seats"),
    body: { userIds: ["usr_observed_learner"] },
  });
  expect(seated.status, JSON.stringify(seated.body)).toBeLessThan(300);
  await deliver();
  const refunded = await shop.http("POST", `/api/v1/orders/${view.orderId}/refund`, {
    token: shop.orgAdmin,
    headers: headersOf("refund"),
    body: { reason: "observed flow" },
  });
  expect(refunded.status, JSON.stringify(refunded.body)).toBe(202);
  await deliver();
  shop.t.clock.advance(RETRY_AFTER_MS[0]);
  await deliver();
  tenantEvents = (
    await sys<{ envelope: Observed }>(shop, `SELECT envelope FROM platform.outbox WHERE tenant_id = $1 ORDER BY position`, [TENANT])
  ).map((row) => row.envelope);
  if (nc) {
    // The subscriber is outside the engine: wait (bounded) until it has seen the tenant's last event.
    const last = tenantEvents.at(-1)!.eventId;
    for (let i = 0; i < 200 && !onBus.some((m) => m.event.eventId === last); i++) await new Promise((resolve) => setTimeout(resolve, 25));
  }
}, 120_000);

afterAll(async () => {
  await nc?.close();
  await first?.stop();
  await second?.stop();
  await shop?.t.stop();
});

describe("a purchase, a seat assignment and a refund, observed from outside", () => {
  it("publish events of the tenant for each of the three requests", () => {
    const types = tenantEvents.map((event) => event.type);
    for (const type of ["marketplace.order.placed.v1", "marketplace.order.fulfilled.v1", "marketplace.license.granted.v1"])
      expect(types).toContain(type);
    expect(types).toContain("marketplace.license.assigned.v1"); // the seat
    expect(types).toContain("marketplace.order.refunded.v1");
    expect(types).toContain("billing.payment.refunded.v1");
  });

  it("every event validates against its payload schema in the served AsyncAPI document", async () => {
    const document = await shop.http("GET", "/asyncapi.json");
    expect(document.status).toBe(200);
    const schemas = document.body.components.schemas as Record<string, object>;
    const ajv = addFormats(new Ajv({ strict: false, allErrors: true }));
    const validators = new Map<string, ValidateFunction>();
    for (const event of [...tenantEvents, ...first.received.map((r) => r.event), ...onBus.map((m) => m.event)]) {
      expect(schemas[event.type], `${event.type} is in the AsyncAPI document`).toBeDefined();
      if (!validators.has(event.type)) validators.set(event.type, ajv.compile(schemas[event.type]!));
      const validate = validators.get(event.type)!;
      expect(validate(event.payload), `${event.type}: ${JSON.stringify(validate.errors)}`).toBe(true);
    }
  });

  it("every event carries the trace id and request id of the request that caused it", () => {
    const requestOfTrace = new Map<string, string>(Object.values(REQUESTS).map((r) => [r.traceId, r.requestId]));
    const traces = new Set<string>();
    for (const event of tenantEvents) {
      const traceId = traceIdOf(event.metadata.traceparent);
      expect(
        traceId && requestOfTrace.has(traceId),
        `${event.type} carries one of the requests' traces: ${event.metadata.traceparent}`,
      ).toBe(true);
      expect(event.metadata.requestId, event.type).toBe(requestOfTrace.get(traceId!));
      traces.add(traceId!);
    }
    expect(traces).toEqual(new Set(requestOfTrace.keys()));
  });

  it("reach each webhook endpoint once, signed, with a refused delivery sent again under the same webhook-id", () => {
    const expected = tenantEvents.filter((event) => /^(marketplace|billing|enrollment|tenant)\./.test(event.type)).map((e) => e.eventId);
    for (const receiver of [first, second]) {
      expect(receiver.received.every((r) => r.verified)).toBe(true);
      const accepted = receiver.accepted().map((r) => r.event.eventId);
      expect(accepted.length, "once per endpoint").toBe(new Set(accepted).size);
      expect(new Set(accepted)).toEqual(new Set(expected));
      expect(receiver.accepted().every((r) => r.event.tenantId === TENANT)).toBe(true);
    }
    expect(refusedOnce).not.toBeNull();
    const attempts = first.received.filter((r) => r.event.eventId === refusedOnce!.eventId);
    expect(attempts.map((r) => r.answered)).toEqual([500, 200]);
    expect(new Set(attempts.map((r) => r.webhookId)).size).toBe(1);
    // One event, two endpoints: two different webhook-ids (each endpoint dedupes its own).
    const other = second.received.find((r) => r.event.eventId === refusedOnce!.eventId)!;
    expect(other.webhookId).not.toBe(attempts[0]!.webhookId);
  });

  it.runIf(onNats)("reach a NATS subscriber with the wire type, content type and traceparent as headers", () => {
    const seen = new Map<string, (typeof onBus)[number]>();
    for (const message of onBus) if (message.event.tenantId === TENANT) seen.set(message.event.eventId, message);
    expect(new Set(seen.keys())).toEqual(new Set(tenantEvents.map((event) => event.eventId)));
    for (const { subject, headers, event } of seen.values()) {
      expect(subject.endsWith(`.${event.type}`), subject).toBe(true);
      expect(headers["ghasi-type"]).toBe(event.type);
      expect(headers["content-type"]).toBe("application/json");
      expect(headers.traceparent).toBe(event.metadata.traceparent);
    }
  });
});
