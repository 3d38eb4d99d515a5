import { connect, type Msg, type NatsConnection } from "@nats-io/transport-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { flow, liveOffer, openShop, order, sys, type Offer, type Shop } from "../orders/purchase-support.js";
import { refundableOffer, waitFor } from "../refunds/refund-support.js";
import { seatPack } from "../seats/seats-support.js";
import { onNats } from "../support/test-app.js";

/**
 * A support agent follows a request into its events: every event a request causes, at once or later
 * (consumers, saga steps, deadlines), carries its requestId, the caller as actorId and a traceparent
 * in the request's trace (docs/tracing.md).
 */

const TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
const CALLER_SPAN = "00f067aa0ba902b7";
const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;
const traceIdOf = (value: unknown) => TRACEPARENT.exec(String(value))?.[1];
const spanIdOf = (value: unknown) => TRACEPARENT.exec(String(value))?.[2];

interface Event {
  eventId: string;
  type: string;
  metadata: { requestId?: string; actorId?: string; traceparent?: string };
}

let shop: Shop;
let nc: NatsConnection | null = null;
const onBus: Msg[] = [];
let seq = 0;
const requestId = (what: string) => `req_${what}_${process.pid}_${++seq}`;

/** What a support agent would ask the outbox: every event of one request, by its id. */
const eventsOfRequest = (id: string) =>
  sys<{ envelope: Event }>(shop, `SELECT envelope FROM platform.outbox WHERE envelope->'metadata'->>'requestId' = $1 ORDER BY position`, [
    id,
  ]).then((rows) => rows.map((row) => row.envelope));

/** A purchase by card over HTTP, with the caller's own headers. */
const buy = (offer: Offer, options: { headers?: Record<string, string>; payment?: unknown } = {}) =>
  shop.http("POST", "/api/v1/orders", {
    token: shop.buyer,
    headers: { "idempotency-key": `key_${process.pid}_${++seq}`, ...options.headers },
    body: {
      items: [{ listingId: offer.listingId, planId: offer.planId }],
      payment: options.payment ?? { method: "card", token: "tok_visa" },
    },
  });

beforeAll(async () => {
  shop = await openShop();
  if (onNats) {
    // An integrator's own connection, subscribed to everything under this deployment's prefix.
    nc = await connect({ servers: process.env.NATS_URL! });
    const subscription = nc.subscribe(`${shop.t.config.natsPrefix}.>`);
    void (async () => {
      for await (const message of subscription) onBus.push(message);
    })();
    await nc.flush();
  }
});
afterAll(async () => {
  await nc?.drain();
  await shop?.t.stop();
});

describe("a purchase's events carry the buyer's request", () => {
  it("with a traceparent and x-request-id: every event of the flow has that request id, the buyer and the caller's trace", async () => {
    const offer = await liveOffer(shop);
    const id = requestId("purchase");
    const placed = await buy(offer, { headers: { traceparent: `00-${TRACE}-${CALLER_SPAN}-01`, "x-request-id": id } });
    expect(placed.status, JSON.stringify(placed.body)).toBe(201);
    // The answer names the request's own span in the caller's trace.
    const answered = String(placed.headers.traceparent);
    expect(traceIdOf(answered)).toBe(TRACE);
    expect(spanIdOf(answered)).not.toBe(CALLER_SPAN);
    expect(placed.headers["x-request-id"]).toBe(id);

    const events = (await flow(shop, placed.body.orderId)) as unknown as Event[];
    expect(events.map((e) => e.type)).toEqual([
      "marketplace.order.placed.v1",
      "billing.payment.succeeded.v1",
      "marketplace.order.paid.v1",
      "marketplace.license.granted.v1",
      "marketplace.license.granted.v2",
      "enrollment.created.v1",
      "marketplace.order.fulfilled.v1",
    ]);
    for (const event of events) {
      expect(event.metadata, event.type).toMatchObject({ requestId: id, actorId: "usr_buyer" });
      expect(traceIdOf(event.metadata.traceparent), event.type).toBe(TRACE);
    }
    // Published while handling the request: the request's span; by a consumer's hop later: a span of its own.
    const [orderPlaced, , paid] = events;
    expect(orderPlaced!.metadata.traceparent).toBe(answered);
    expect(spanIdOf(paid!.metadata.traceparent)).not.toBe(spanIdOf(answered));
    // The agent's query by request id finds exactly the flow.
    expect((await eventsOfRequest(id)).map((e) => e.eventId)).toEqual(events.map((e) => e.eventId));
  });

  it("without a traceparent: a fresh trace, answered to the caller and shared by the whole flow", async () => {
    const offer = await liveOffer(shop);
    const placed = await buy(offer);
    expect(placed.status).toBe(201);
    const trace = traceIdOf(placed.headers.traceparent);
    expect(trace).toMatch(/^[0-9a-f]{32}$/);
    const events = (await flow(shop, placed.body.orderId)) as unknown as Event[];
    expect(events.length).toBeGreaterThanOrEqual(6);
    expect(new Set(events.map((e) => traceIdOf(e.metadata.traceparent)))).toEqual(new Set([trace]));
    expect(new Set(events.map((e) => e.metadata.requestId))).toEqual(new Set([String(placed.headers["x-request-id"])]));
  });

  it.each([
    ["upper-case hex", `00-${TRACE.toUpperCase()}-${CALLER_SPAN}-01`],
    ["version ff", `ff-${TRACE}-${CALLER_SPAN}-01`],
    ["an all-zero trace id", `00-${"0".repeat(32)}-${CALLER_SPAN}-01`],
    ["garbage", "not-a-trace"],
  ])("an invalid traceparent (%s) starts a new trace instead of joining it", async (_, header) => {
    const offer = await liveOffer(shop);
    const placed = await buy(offer, { headers: { traceparent: header } });
    expect(placed.status).toBe(201);
    const trace = traceIdOf(placed.headers.traceparent)!;
    expect(trace).toMatch(/^[0-9a-f]{32}$/);
    expect([TRACE, "0".repeat(32)]).not.toContain(trace);
    const events = (await flow(shop, placed.body.orderId)) as unknown as Event[];
    expect(new Set(events.map((e) => traceIdOf(e.metadata.traceparent)))).toEqual(new Set([trace]));
  });

  it("a payment that never answers: the order.failed the deadline publishes 15 minutes later is still in the buyer's request", async () => {
    const offer = await liveOffer(shop);
    const id = requestId("timeout");
    const placed = await buy(offer, {
      payment: { method: "card", token: "tok_timeout" },
      headers: { traceparent: `00-${TRACE}-${CALLER_SPAN}-01`, "x-request-id": id },
    });
    expect(placed.status).toBe(201);
    await shop.t.settle();
    shop.t.clock.advance(15 * 60_000);
    await waitFor(async () => (await order(shop, placed.body.orderId)).status === "failed");
    const failed = ((await flow(shop, placed.body.orderId)) as unknown as Event[]).find((e) => e.type === "marketplace.order.failed.v1")!;
    expect(failed.metadata).toMatchObject({ requestId: id, actorId: "usr_buyer" });
    expect(traceIdOf(failed.metadata.traceparent)).toBe(TRACE);
  });
});

describe("later requests on the same order carry their own context", () => {
  it("a seat assignment: the admin's request id, the admin as actor, the admin's trace", async () => {
    const pack = await seatPack(shop, 2);
    const id = requestId("seats");
    const trace = "0af7651916cd43dd8448eb211c80319c";
    const assigned = await shop.http("POST", `/api/v1/licenses/${pack.licenseId}/seats`, {
      token: shop.orgAdmin,
      body: { userIds: ["usr_seated_learner"] },
      headers: { traceparent: `00-${trace}-${CALLER_SPAN}-01`, "x-request-id": id },
    });
    expect(assigned.status, JSON.stringify(assigned.body)).toBe(201);
    await shop.t.settle();
    const events = await eventsOfRequest(id);
    expect(events.map((e) => e.type)).toEqual(expect.arrayContaining(["marketplace.license.assigned.v1", "enrollment.created.v1"]));
    for (const event of events) {
      expect(event.metadata.actorId, event.type).toBe("usr_orgadmin");
      expect(traceIdOf(event.metadata.traceparent), event.type).toBe(trace);
    }
  });

  it("a refund: billing's refund, the licence and enrollment revoked and the order refunded, all in the refund request's trace", async () => {
    const offer = await refundableOffer(shop);
    const placed = await buy(offer);
    expect(placed.status).toBe(201);
    await waitFor(async () => (await order(shop, placed.body.orderId)).status === "fulfilled");
    const id = requestId("refund");
    const trace = "5b8aa5a2d2c872e8321cf37308d69df2";
    const asked = await shop.http("POST", `/api/v1/orders/${placed.body.orderId}/refund`, {
      token: shop.buyer,
      body: { reason: "changed my mind" },
      headers: { traceparent: `00-${trace}-${CALLER_SPAN}-01`, "x-request-id": id },
    });
    expect(asked.status, JSON.stringify(asked.body)).toBe(202);
    await waitFor(async () => (await order(shop, placed.body.orderId)).status === "refunded");
    await shop.t.settle();
    const events = await eventsOfRequest(id);
    expect(events.map((e) => e.type)).toEqual(
      expect.arrayContaining([
        "billing.payment.refunded.v1",
        "marketplace.license.revoked.v1",
        "enrollment.revoked.v1",
        "marketplace.order.refunded.v1",
      ]),
    );
    for (const event of events) {
      expect(event.metadata.actorId, event.type).toBe("usr_buyer");
      expect(traceIdOf(event.metadata.traceparent), event.type).toBe(trace);
    }
  });
});

describe.runIf(onNats)("on NATS, seen by an integrator's own subscriber", () => {
  it("subjects start with the prefix token; headers carry the wire type, the content type and the event's traceparent", async () => {
    const offer = await liveOffer(shop);
    const placed = await buy(offer, { headers: { traceparent: `00-${TRACE}-${CALLER_SPAN}-01` } });
    expect(placed.status).toBe(201);
    const events = (await flow(shop, placed.body.orderId)) as unknown as Event[];
    const ids = new Set(events.map((e) => e.eventId));
    const mine = () => onBus.filter((m) => ids.has(String(m.headers?.get("Nats-Msg-Id"))));
    await waitFor(async () => mine().length >= ids.size);
    const prefix = shop.t.config.natsPrefix;
    expect(prefix).toMatch(/^[A-Za-z0-9_-]+$/);
    for (const message of mine()) {
      const envelope = message.json<Event>();
      expect(message.subject).toBe(`${prefix}.${envelope.type}`);
      expect(message.headers!.get("Ghasi-Type")).toBe(envelope.type);
      expect(message.headers!.get("Content-Type")).toBe("application/json");
      expect(message.headers!.get("traceparent")).toBe(envelope.metadata.traceparent);
      expect(traceIdOf(message.headers!.get("traceparent"))).toBe(TRACE);
    }
  });
});

describe("events from upstream (ingest)", () => {
  const ingest = (eventId: string, metadata: Record<string, unknown>) =>
    shop.http("POST", "/api/v1/events/ingest", {
      token: shop.service,
      headers: { traceparent: `00-${TRACE}-${CALLER_SPAN}-01` },
      body: {
        eventId,
        type: "tenant.provider.kyc_verified.v1",
        occurredAt: shop.t.clock.now().toISOString(),
        source: "tenant",
        payload: { providerId: "prv_1" },
        metadata,
      },
    });
  const stored = async (eventId: string) =>
    (await sys<{ envelope: Event }>(shop, `SELECT envelope FROM platform.outbox WHERE event_id = $1`, [eventId]))[0]!.envelope;

  it("keep the producer's own valid traceparent; an invalid one is replaced by the posting request's span", async () => {
    const own = `00-${"1".repeat(32)}-${"2".repeat(16)}-01`;
    const kept = await ingest(`evt_traced_${process.pid}`, { traceparent: own, actorId: "svc_catalog" });
    expect(kept.status).toBe(202);
    expect((await stored(`evt_traced_${process.pid}`)).metadata).toMatchObject({ traceparent: own, actorId: "svc_catalog" });

    const replaced = await ingest(`evt_badtrace_${process.pid}`, { traceparent: "x".repeat(5000) });
    expect(replaced.status).toBe(202);
    const metadata = (await stored(`evt_badtrace_${process.pid}`)).metadata;
    expect(metadata.traceparent).toBe(replaced.headers.traceparent);
    expect(traceIdOf(metadata.traceparent)).toBe(TRACE);
    expect(metadata.requestId).toBe(replaced.headers["x-request-id"]);
    await shop.t.settle();
  });
});

describe("a subscription's renewals are the system's, its subscriber's requests are theirs", () => {
  it("each renewal starts a new trace with actor system; a cancel carries the subscriber's request", async () => {
    const renewing = await openShop({ env: { TEST_CLOCK: "on" } });
    try {
      const offer = await liveOffer(renewing, { kind: "subscription", amount: 1_000, currency: "USD", interval: "month" });
      const placed = await renewing.http("POST", "/api/v1/orders", {
        token: renewing.buyer,
        headers: { "idempotency-key": `key_sub_${process.pid}`, traceparent: `00-${TRACE}-${CALLER_SPAN}-01` },
        body: { items: [{ listingId: offer.listingId, planId: offer.planId }], payment: { method: "card", token: "tok_visa" } },
      });
      expect(placed.status, JSON.stringify(placed.body)).toBe(201);
      await renewing.t.settle();
      const subscriptionId = (await order(renewing, placed.body.orderId)).items[0].subscriptionId as string;
      const current = async () => (await renewing.http("GET", `/api/v1/subscriptions/${subscriptionId}`, { token: renewing.buyer })).body;
      for (let month = 1; month <= 2; month++) {
        const to = new Date(new Date((await current()).currentPeriodEnd).getTime() + 60_000).toISOString();
        const moved = await renewing.http("POST", "/api/v1/test-clock/advance", { token: renewing.admin, body: { to } });
        expect(moved.status, JSON.stringify(moved.body)).toBe(200);
        await renewing.t.settle();
      }
      const id = requestId("cancel");
      const canceled = await renewing.http("POST", `/api/v1/subscriptions/${subscriptionId}/cancel`, {
        token: renewing.buyer,
        body: { atPeriodEnd: true },
        headers: { traceparent: `00-${TRACE}-${CALLER_SPAN}-01`, "x-request-id": id },
      });
      expect(canceled.status, JSON.stringify(canceled.body)).toBe(200);
      await renewing.t.settle();

      const events = (await flow(renewing, subscriptionId)) as unknown as Event[];
      const renewed = events.filter((e) => e.type === "marketplace.subscription.renewed.v1");
      expect(renewed).toHaveLength(2);
      const renewalTraces = renewed.map((e) => traceIdOf(e.metadata.traceparent));
      for (const event of renewed) {
        expect(event.metadata.actorId).toBe("system");
        expect(event.metadata.requestId).toBeUndefined();
      }
      expect(new Set([...renewalTraces, TRACE]).size).toBe(3);
      // The renewal's charge is in the renewal's trace too.
      const charges = await sys<{ envelope: Event }>(
        renewing,
        `SELECT envelope FROM platform.outbox WHERE type = 'billing.payment.succeeded.v1' AND envelope->'metadata'->>'traceparent' LIKE $1`,
        [`00-${renewalTraces[0]}-%`],
      );
      expect(charges).toHaveLength(1);
      const cancel = events.find((e) => e.type === "marketplace.subscription.canceled.v1")!;
      expect(cancel.metadata).toMatchObject({ requestId: id, actorId: "usr_buyer" });
      expect(traceIdOf(cancel.metadata.traceparent)).toBe(TRACE);
    } finally {
      await renewing.t.stop();
    }
  });
});
