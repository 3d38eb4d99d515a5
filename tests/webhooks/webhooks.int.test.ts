import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RETRY_AFTER_MS } from "../../src/contexts/webhooks/deliveries/delivery.domain.js";
import { liveOffer, openShop, sys, type Offer, type Shop } from "../orders/purchase-support.js";
import { fulfilled } from "../refunds/refund-support.js";
import { call, onPostgres, startTestApp } from "../support/test-app.js";
import { Receiver, type Received } from "./receiver.js";

/**
 * Signed outbound webhooks (issue 21 item 6), through real HTTP receivers on 127.0.0.1 that verify
 * every request with the standardwebhooks package. Deliveries are sent by the delivery worker, which
 * the kernel's settle() runs; the test clock walks the retry schedule. Both engines.
 */

let shop: Shop;
let offer: Offer;
let otherAdmin: string;
let otherBuyer: string;
const receivers: Receiver[] = [];

beforeAll(async () => {
  // The contexts read their settings from the process's environment when the app is built (as in
  // production); this file's process is its own, and the flag is dropped again once the shop is open.
  process.env.WEBHOOKS_ALLOW_PRIVATE_URLS = "true";
  try {
    shop = await openShop();
  } finally {
    delete process.env.WEBHOOKS_ALLOW_PRIVATE_URLS;
  }
  offer = await liveOffer(shop);
  otherAdmin = await shop.t.token({ sub: "usr_other_admin", tid: "ten_other", roles: ["org_admin"] });
  otherBuyer = await shop.t.token({ sub: "usr_other_buyer", tid: "ten_other", roles: ["learner"] });
});
afterAll(async () => {
  await Promise.all(receivers.map((receiver) => receiver.stop()));
  await shop?.t.stop();
});

async function receiver(): Promise<Receiver> {
  const started = await Receiver.start();
  receivers.push(started);
  return started;
}

/** Registers `receiver` for `events` as `token`'s tenant; the receiver learns the secret from the answer. */
async function register(target: Receiver, events: string[], token = shop.orgAdmin, secret?: string) {
  const created = await shop.http("POST", "/api/v1/webhooks", { token, body: { url: target.url, events, ...(secret ? { secret } : {}) } });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  target.secret = created.body.secret;
  return created.body as { endpointId: string; secret: string };
}

/** Publishes and consumes everything, then lets the delivery worker send what is due (the kernel's settle runs workers). */
async function deliver(): Promise<void> {
  await shop.t.settle();
  await shop.t.app.kernel.settle();
}

const deliveries = async (endpointId: string, query = "") => {
  const listed = await shop.http("GET", `/api/v1/webhooks/${endpointId}/deliveries${query}`, { token: shop.orgAdmin });
  expect(listed.status, JSON.stringify(listed.body)).toBe(200);
  return listed.body.items as Array<Record<string, any>>;
};

/** Per partition key, the accepted events arrived in their outbox order. */
async function expectKeyOrder(accepted: Received[]): Promise<void> {
  const rows = await sys<{ event_id: string; position: string }>(
    shop,
    `SELECT event_id, position FROM platform.outbox WHERE event_id = ANY($1)`,
    [accepted.map((r) => r.event.eventId)],
  );
  const position = new Map(rows.map((row) => [row.event_id, Number(row.position)]));
  const byKey = new Map<string, number[]>();
  for (const r of accepted) byKey.set(r.event.partitionKey, [...(byKey.get(r.event.partitionKey) ?? []), position.get(r.event.eventId)!]);
  for (const [key, positions] of byKey) expect(positions, key).toEqual([...positions].sort((a, b) => a - b));
}

describe("registering an endpoint", () => {
  it("answers a generated whsec_ secret once; the list and the endpoint never show it", async () => {
    const target = await receiver();
    const created = await register(target, ["tenant.member."]);
    expect(created.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    const one = await shop.http("GET", `/api/v1/webhooks/${created.endpointId}`, { token: shop.orgAdmin });
    expect(one.status).toBe(200);
    expect(one.body).toMatchObject({ endpointId: created.endpointId, url: target.url, events: ["tenant.member."], status: "enabled" });
    expect(one.body.secret).toBeUndefined();
    const list = await shop.http("GET", "/api/v1/webhooks", { token: shop.orgAdmin });
    expect(list.body.items.map((e: { endpointId: string }) => e.endpointId)).toContain(created.endpointId);
    expect(JSON.stringify(list.body)).not.toContain(created.secret);
  });

  it("with an Idempotency-Key, a retried creation answers the same endpoint and secret and makes no second one", async () => {
    const target = await receiver();
    const body = { url: target.url, events: ["tenant.member."] };
    const key = { "idempotency-key": `create-${target.url}` };
    const first = await shop.http("POST", "/api/v1/webhooks", { token: shop.orgAdmin, body, headers: key });
    const again = await shop.http("POST", "/api/v1/webhooks", { token: shop.orgAdmin, body, headers: key });
    expect([first.status, again.status]).toEqual([201, 201]);
    expect(again.body).toEqual(first.body);
    expect(first.body.secret).toMatch(/^whsec_/);
    const stored = await sys<{ response: string }>(shop, `SELECT response::text FROM platform.idempotency_keys WHERE key = $1`, [
      key["idempotency-key"],
    ]);
    expect(stored[0]!.response, "the secret is not kept with the idempotency key").not.toContain(first.body.secret);
    const listed = await shop.http("GET", "/api/v1/webhooks?limit=200", { token: shop.orgAdmin });
    expect(listed.body.items.filter((e: { url: string }) => e.url === target.url)).toHaveLength(1);
    const other = await shop.http("POST", "/api/v1/webhooks", {
      token: shop.orgAdmin,
      body: { ...body, events: ["tenant."] },
      headers: key,
    });
    expect([other.status, other.body.code]).toEqual([422, "IDEMPOTENCY.KEY_REUSED"]);
  });

  it("refuses unknown wire types, bad secrets and a learner; another tenant's admin sees a 404", async () => {
    const url = "http://127.0.0.1:9/hooks";
    const codes = async (body: unknown, token = shop.orgAdmin) => {
      const answer = await shop.http("POST", "/api/v1/webhooks", { token, body });
      return [answer.status, answer.body.code];
    };
    expect(await codes({ url, events: ["marketplace.order.nothing.v1"] })).toEqual([400, "WEBHOOK.EVENT_UNKNOWN"]);
    expect(await codes({ url, events: ["marketplace."], secret: "whsec_c2hvcnQ=" })).toEqual([400, "WEBHOOK.SECRET_INVALID"]);
    expect(await codes({ url: "gopher://example.com/", events: ["marketplace."] })).toEqual([400, "WEBHOOK.URL_INVALID"]);
    expect(await codes({ url, events: ["marketplace."] }, shop.buyer)).toEqual([403, "AUTH.FORBIDDEN"]);
    const mine = await register(await receiver(), ["tenant."]);
    const seen = await shop.http("GET", `/api/v1/webhooks/${mine.endpointId}`, { token: otherAdmin });
    expect([seen.status, seen.body.code]).toEqual([404, "WEBHOOK.NOT_FOUND"]);
    const deleted = await shop.http("DELETE", `/api/v1/webhooks/${mine.endpointId}`, { token: otherAdmin });
    expect(deleted.status).toBe(404);
  });

  it("deleting an endpoint disables it, idempotently, and keeps it listed; its pending deliveries are canceled", async () => {
    const failing = await receiver();
    failing.answer = () => 500;
    const { endpointId } = await register(failing, ["marketplace.order."]);
    await fulfilled(shop, offer);
    await deliver();
    const pending = await deliveries(endpointId, "?status=pending");
    expect(pending.length).toBeGreaterThan(1);
    for (let i = 0; i < 2; i++) {
      const deleted = await shop.http("DELETE", `/api/v1/webhooks/${endpointId}`, { token: shop.orgAdmin });
      expect(deleted.status).toBe(200);
      expect(deleted.body).toMatchObject({ endpointId, status: "disabled", disabledReason: "deleted" });
    }
    const listed = await shop.http("GET", "/api/v1/webhooks?limit=200", { token: shop.orgAdmin });
    expect(listed.body.items.find((e: { endpointId: string }) => e.endpointId === endpointId)).toMatchObject({ status: "disabled" });
    expect(await deliveries(endpointId, "?status=pending")).toEqual([]);
    const canceled = await deliveries(endpointId, "?status=canceled");
    expect(canceled.map((d) => d.deliveryId).sort()).toEqual(pending.map((d) => d.deliveryId).sort());
    expect(canceled.every((d) => d.nextAttemptAt === null)).toBe(true);
    const sent = failing.received.length;
    shop.t.clock.advance(RETRY_AFTER_MS[0]);
    await deliver();
    expect(failing.received.length).toBe(sent);
  });
});

describe("a purchase's events", () => {
  let orders: Receiver;
  let everything: Receiver;
  let other: Receiver;
  const given = `whsec_${Buffer.alloc(32, 9).toString("base64")}`;
  /** The outbox's last position before these endpoints existed: events before it were never theirs. */
  let since = "0";

  beforeAll(async () => {
    orders = await receiver();
    everything = await receiver();
    other = await receiver();
    const [last] = await sys<{ position: string | null }>(shop, `SELECT max(position)::text AS position FROM platform.outbox`);
    since = last?.position ?? "0";
    await register(orders, ["marketplace.order."]);
    await register(everything, ["marketplace.", "billing.", "enrollment."], shop.orgAdmin, given);
    await register(other, ["marketplace.", "billing.", "enrollment."], otherAdmin);
    await fulfilled(shop, offer);
    await fulfilled(shop, offer, { token: otherBuyer });
    await deliver();
  });

  it("arrive signed, once per endpoint, each endpoint only the types it asked for", async () => {
    expect(everything.secret).toBe(given);
    for (const target of [orders, everything, other]) {
      expect(target.received.length).toBeGreaterThan(0);
      expect(target.received.every((r) => r.verified)).toBe(true);
      const ids = target.received.map((r) => r.event.eventId);
      expect(new Set(ids).size, "each event once").toBe(ids.length);
    }
    const orderTypes = new Set(orders.received.map((r) => r.event.type));
    expect([...orderTypes].every((type) => type.startsWith("marketplace.order."))).toBe(true);
    expect(orderTypes).toContain("marketplace.order.placed.v1");
    expect(orderTypes).toContain("marketplace.order.fulfilled.v1");
    const allTypes = new Set(everything.received.map((r) => r.event.type));
    expect([...allTypes].some((type) => type.startsWith("billing.payment."))).toBe(true);
    expect([...allTypes].some((type) => type.startsWith("marketplace.license."))).toBe(true);
    // The endpoint saw every event of its tenant the outbox holds for those prefixes.
    const expected = await sys<{ event_id: string }>(
      shop,
      `SELECT event_id FROM platform.outbox WHERE tenant_id = 'ten_buyer' AND position > $1::bigint
          AND (type LIKE 'marketplace.%' OR type LIKE 'billing.%' OR type LIKE 'enrollment.%')`,
      [since],
    );
    expect(new Set(everything.received.map((r) => r.event.eventId))).toEqual(new Set(expected.map((row) => row.event_id)));
  });

  it("never reach another tenant's endpoint", async () => {
    expect(everything.received.every((r) => r.event.tenantId === "ten_buyer")).toBe(true);
    expect(orders.received.every((r) => r.event.tenantId === "ten_buyer")).toBe(true);
    expect(other.received.length).toBeGreaterThan(0);
    expect(other.received.every((r) => r.event.tenantId === "ten_other")).toBe(true);
  });

  it("carry the envelope as the body, with the headers of the Standard Webhooks spec", async () => {
    const first = orders.received[0]!;
    expect(first.headers["content-type"]).toBe("application/json");
    expect(first.webhookId).toMatch(/^msg_[0-9a-f]{32}$/);
    expect(first.headers["webhook-signature"]).toMatch(/^v1,[A-Za-z0-9+/]+=*$/);
    expect(Math.abs(Number(first.headers["webhook-timestamp"]) - Date.now() / 1000)).toBeLessThan(300);
    expect(first.event).toMatchObject({ eventId: expect.any(String), type: expect.any(String), payload: expect.any(Object) });
    await expectKeyOrder(everything.accepted());
  });
});

describe("a receiver that fails", () => {
  it("gets each event again with the same webhook-id once it recovers, a key's events still in order", async () => {
    const flaky = await receiver();
    const { endpointId } = await register(flaky, ["marketplace.", "billing."]);
    flaky.answer = () => 500;
    await fulfilled(shop, offer);
    await deliver();
    const failedIds = new Map(flaky.received.map((r) => [r.event.eventId, r.webhookId]));
    expect(failedIds.size).toBeGreaterThan(0);
    // Only the head of each partition key was tried: the later ones wait behind it.
    const pending = await deliveries(endpointId, "?status=pending");
    expect(pending.length).toBeGreaterThan(failedIds.size);
    expect(pending.filter((d) => d.attempts === 1).every((d) => d.responseStatus === 500)).toBe(true);

    flaky.answer = () => 200;
    shop.t.clock.advance(RETRY_AFTER_MS[0]);
    await deliver();
    const accepted = flaky.accepted();
    for (const r of accepted) if (failedIds.has(r.event.eventId)) expect(r.webhookId).toBe(failedIds.get(r.event.eventId));
    const ids = accepted.map((r) => r.event.eventId);
    expect(new Set(ids).size).toBe(ids.length);
    expect(await deliveries(endpointId, "?status=pending")).toEqual([]);
    const delivered = await deliveries(endpointId, "?status=delivered&limit=200");
    expect(delivered.length).toBe(ids.length);
    expect(delivered.every((d) => d.responseStatus === 200 && d.deliveredAt !== null)).toBe(true);
    // Pages of two, newest first, end to end: the same deliveries, each once.
    const paged: string[] = [];
    let cursor: string | null = null;
    for (let page = 0; page < 100; page++) {
      const answer = await shop.http("GET", `/api/v1/webhooks/${endpointId}/deliveries?limit=2${cursor ? `&cursor=${cursor}` : ""}`, {
        token: shop.orgAdmin,
      });
      expect(answer.status).toBe(200);
      paged.push(...answer.body.items.map((d: { deliveryId: string }) => d.deliveryId));
      cursor = answer.body.nextCursor;
      if (!cursor) break;
    }
    expect(paged).toEqual(delivered.map((d) => d.deliveryId));
    const bad = await shop.http("GET", `/api/v1/webhooks/${endpointId}/deliveries?cursor=bm90LW91cnM`, { token: shop.orgAdmin });
    expect([bad.status, bad.body.code]).toEqual([400, "REQUEST.CURSOR_INVALID"]);
    await expectKeyOrder(accepted);
  });

  it("is dead after the retry schedule, and a replay sends it again with the same webhook-id", async () => {
    const down = await receiver();
    const { endpointId } = await register(down, ["marketplace.order.placed.v1"]);
    down.answer = () => 503;
    await fulfilled(shop, offer);
    await deliver();
    for (const wait of RETRY_AFTER_MS) {
      shop.t.clock.advance(wait);
      await deliver();
    }
    const [dead] = await deliveries(endpointId);
    expect(dead).toMatchObject({ status: "dead", attempts: RETRY_AFTER_MS.length + 1, responseStatus: 503, nextAttemptAt: null });
    expect(down.received.length).toBe(RETRY_AFTER_MS.length + 1);
    expect(new Set(down.received.map((r) => r.webhookId))).toEqual(new Set([dead!.deliveryId]));

    down.answer = () => 204;
    const replay = await shop.http("POST", `/api/v1/webhooks/${endpointId}/deliveries/${dead!.deliveryId}/retry`, { token: shop.orgAdmin });
    expect(replay.status, JSON.stringify(replay.body)).toBe(202);
    expect(replay.body).toMatchObject({ status: "pending", attempts: 0 });
    await deliver();
    expect(down.accepted().map((r) => r.webhookId)).toEqual([dead!.deliveryId]);
    expect((await deliveries(endpointId))[0]).toMatchObject({ status: "delivered", responseStatus: 204 });
    const elsewhere = await shop.http("POST", `/api/v1/webhooks/${endpointId}/deliveries/${dead!.deliveryId}/retry`, { token: otherAdmin });
    expect(elsewhere.status).toBe(404);
  });

  it("a pending delivery cannot be retried (it may be mid-attempt); a delivered one can, its deliveredAt cleared", async () => {
    const slow = await receiver();
    const { endpointId } = await register(slow, ["marketplace.order.placed.v1"]);
    slow.answer = () => 500;
    await fulfilled(shop, offer);
    await deliver();
    const [pending] = await deliveries(endpointId);
    expect(pending).toMatchObject({ status: "pending", attempts: 1 });
    const refused = await shop.http("POST", `/api/v1/webhooks/${endpointId}/deliveries/${pending!.deliveryId}/retry`, {
      token: shop.orgAdmin,
    });
    expect([refused.status, refused.body.code]).toEqual([409, "WEBHOOK.DELIVERY_PENDING"]);
    expect((await deliveries(endpointId))[0]).toMatchObject({ status: "pending", attempts: 1 });

    slow.answer = () => 200;
    shop.t.clock.advance(RETRY_AFTER_MS[0]);
    await deliver();
    expect((await deliveries(endpointId))[0]).toMatchObject({ status: "delivered", deliveredAt: expect.any(String) });
    const sentBefore = slow.received.length;
    slow.answer = () => 500;
    const replay = await shop.http("POST", `/api/v1/webhooks/${endpointId}/deliveries/${pending!.deliveryId}/retry`, {
      token: shop.orgAdmin,
    });
    expect(replay.status).toBe(202);
    expect(replay.body).toMatchObject({ status: "pending", attempts: 0, deliveredAt: null });
    await deliver();
    expect(slow.received.length).toBe(sentBefore + 1);
    expect((await deliveries(endpointId))[0]).toMatchObject({ status: "pending", attempts: 1, deliveredAt: null });
  });

  it("answering 410 Gone disables its endpoint: nothing more is recorded for it", async () => {
    const gone = await receiver();
    const { endpointId } = await register(gone, ["marketplace.order."]);
    gone.answer = () => 410;
    await fulfilled(shop, offer);
    await deliver();
    const endpoint = await shop.http("GET", `/api/v1/webhooks/${endpointId}`, { token: shop.orgAdmin });
    expect(endpoint.body).toMatchObject({ status: "disabled", disabledReason: "gone" });
    // The order's later events, waiting behind the one answered 410, are canceled, not left pending.
    expect(await deliveries(endpointId, "?status=pending")).toEqual([]);
    expect((await deliveries(endpointId, "?status=canceled")).length).toBeGreaterThan(0);
    await fulfilled(shop, offer);
    await deliver();
    expect(gone.received.length).toBe(1);
    const replay = await shop.http("POST", `/api/v1/webhooks/${endpointId}/deliveries/${gone.received[0]!.webhookId}/retry`, {
      token: shop.orgAdmin,
    });
    expect([replay.status, replay.body.code]).toEqual([409, "WEBHOOK.ENDPOINT_DISABLED"]);
  });
});

describe("several delivery workers at once", () => {
  it.runIf(onPostgres)("send each delivery once: a claimed delivery is leased, and a key's next one waits for it", async () => {
    const target = await receiver();
    await register(target, ["marketplace.", "billing.", "enrollment."]);
    for (let i = 0; i < 3; i++) await fulfilled(shop, offer);
    await shop.t.settle();
    const worker = shop.t.app.kernel.pollers.find((poller) => poller.name === "webhooks.delivery")!;
    await Promise.all([worker.runUntilIdle(), worker.runUntilIdle(), worker.runUntilIdle(), worker.runUntilIdle()]);
    await deliver();
    const ids = target.received.map((r) => r.event.eventId);
    expect(ids.length).toBeGreaterThan(0);
    expect(new Set(ids).size).toBe(ids.length);
    await expectKeyOrder(target.received);
  });
});

describe("without WEBHOOKS_ALLOW_PRIVATE_URLS", () => {
  it("refuses loopback, private and link-local URLs (SSRF)", async () => {
    const t = await startTestApp();
    try {
      const token = await t.token({ sub: "usr_a", tid: "ten_a", roles: ["org_admin"] });
      for (const url of [
        "http://127.0.0.1:8080/h",
        "http://localhost/h",
        "http://169.254.169.254/latest",
        "http://[::1]/h",
        "http://10.0.0.7/h",
      ]) {
        const answer = await call(t.app, "POST", "/api/v1/webhooks", { token, body: { url, events: ["marketplace."] } });
        expect([answer.status, answer.body.code], url).toEqual([400, "WEBHOOK.URL_NOT_ALLOWED"]);
      }
    } finally {
      await t.stop();
    }
  });
});
