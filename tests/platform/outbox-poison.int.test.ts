import { jetstreamManager } from "@nats-io/jetstream";
import { afterEach, describe, expect, it } from "vitest";
import { envelope } from "../../src/platform/events/registry.js";
import { bucketOf, OUTBOX_BUCKETS } from "../../src/platform/events/outbox.js";
import { CourseVersionPublished } from "../../src/contracts/upstream.js";
import { newId } from "../../src/platform/ids.js";
import { buy, liveOffer, openShop, sys, type Shop } from "../orders/purchase-support.js";
import { probeModule, ping } from "../support/probe.js";
import { call, onNats, startTestApp, TEST_SECRET, type TestApp } from "../support/test-app.js";
import { mintToken } from "../../src/platform/http/auth.js";

let shop: Shop | undefined;
let t: TestApp | undefined;
afterEach(async () => {
  await shop?.t.stop();
  await t?.stop();
  shop = t = undefined;
});

const metricValue = async (test: TestApp, name: string, labels: Record<string, string> = {}) => {
  const metric = await test.app.kernel.metrics.registry.getSingleMetric(name)?.get();
  return metric?.values.find((v) => Object.entries(labels).every(([k, value]) => v.labels[k] === value))?.value ?? 0;
};

/** One partition key per outbox bucket, so a poison row sits in front of every bucket's queue. */
function keyPerBucket(prefix: string): string[] {
  const keys = new Map<number, string>();
  for (let i = 0; keys.size < OUTBOX_BUCKETS && i < 10_000; i++)
    if (!keys.has(bucketOf(`${prefix}${i}`))) keys.set(bucketOf(`${prefix}${i}`), `${prefix}${i}`);
  return [...keys.values()];
}

describe("events too large for the bus", () => {
  it("are refused at ingest with 413 EVENT.TOO_LARGE, and nothing is written", async () => {
    t = await startTestApp();
    const service = await mintToken(TEST_SECRET, { sub: "svc", tid: "ten_platform", roles: ["service"] });
    const before = await t.app.kernel.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM platform.outbox`);
    const body = {
      eventId: "evt_big_ingest",
      type: "catalog.course_version.published.v1",
      occurredAt: "2026-03-01T09:00:00.000Z",
      source: "catalog",
      payload: { courseId: "crs_big", courseVersionId: "cv_big", notes: "x".repeat(1_900_000) },
    };
    const response = await call(t.app, "POST", "/api/v1/events/ingest", { token: service, body });
    expect(response.status).toBe(413);
    expect(String(response.headers["content-type"])).toContain("application/problem+json");
    expect(response.body).toMatchObject({ status: 413, code: "EVENT.TOO_LARGE" });
    const after = await t.app.kernel.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM platform.outbox`);
    expect(after.rows[0]!.n).toBe(before.rows[0]!.n);

    // The same event at a normal size is taken: the limit is the size, not the event.
    const small = await call(t.app, "POST", "/api/v1/events/ingest", {
      token: service,
      body: { ...body, payload: { ...body.payload, notes: "x".repeat(1_000) } },
    });
    expect(small.status).toBe(202);
  });

  it("nested thousands deep are a 400 problem at ingest, not a 500, and nothing is written", async () => {
    t = await startTestApp();
    const service = await mintToken(TEST_SECRET, { sub: "svc", tid: "ten_platform", roles: ["service"] });
    // Written out by hand: JSON.stringify itself recurses, and 5,000 levels overflow its stack too.
    const deep = '{"d":'.repeat(5_000) + "{}" + "}".repeat(5_000);
    const rawBody = `{"eventId":"evt_deep","type":"catalog.course_version.published.v1","occurredAt":"2026-03-01T09:00:00.000Z","source":"catalog","payload":{"courseId":"crs_d","courseVersionId":"cv_d","deep":${deep}}}`;
    const response = await call(t.app, "POST", "/api/v1/events/ingest", { token: service, rawBody });
    expect(response.status).toBe(400);
    expect(String(response.headers["content-type"])).toContain("application/problem+json");
    expect(response.body).toMatchObject({ status: 400, code: "EVENT.TOO_DEEP" });
    expect((await t.app.kernel.db.query(`SELECT 1 FROM platform.outbox WHERE event_id = 'evt_deep'`)).rows).toHaveLength(0);
  });

  it(
    "written straight into the outbox go to the dead letters with the reason, and every bucket's orders still complete",
    { timeout: 120_000 },
    async () => {
      shop = await openShop();
      const s = shop;
      const offer = await liveOffer(s);
      let buyers = 0;
      const place = async () => {
        const token = await s.t.token({ sub: `usr_poison_${++buyers}`, tid: "ten_buyer", roles: ["learner"] });
        const placed = await buy(s, offer, { token });
        expect(placed.status, JSON.stringify(placed.body)).toBe(201);
        return placed.body.orderId as string;
      };
      const orders = [await place(), await place(), await place()];
      // A buggy producer in this process: a contract-valid event of 1.1 MB in front of each bucket's queue.
      const kernel = s.t.app.kernel;
      const poison = keyPerBucket("crs_poison_").map((courseId) =>
        envelope(
          CourseVersionPublished,
          { courseId, courseVersionId: `cv_${courseId}`, notes: "y".repeat(1_100_000) } as never,
          { eventId: newId("evt"), occurredAt: s.t.clock.now(), tenantId: null },
          { correlationId: courseId },
        ),
      );
      await kernel.db.tx((tx) => kernel.outbox.append(tx, poison));
      for (let i = 0; i < 8; i++) orders.push(await place());

      await s.t.settle(30_000);
      const statuses = await sys<{ order_id: string; status: string }>(
        s,
        `SELECT order_id, status FROM marketplace.orders WHERE order_id = ANY($1)`,
        [orders],
      );
      expect(statuses.map((row) => row.status)).toEqual(orders.map(() => "fulfilled"));
      const letters = await sys<{ queue: string; consumer: string; event_id: string; last_error: string }>(
        s,
        `SELECT queue, consumer, event_id, last_error FROM platform.dead_letters ORDER BY event_id`,
      );
      expect(letters.map((l) => l.event_id)).toEqual(poison.map((p) => p.eventId).sort());
      for (const letter of letters) {
        expect(letter).toMatchObject({ queue: "platform.dlq", consumer: "platform.relay" });
        expect(letter.last_error).toMatch(/the envelope is \d+ bytes; the bus takes at most \d+/);
      }
      expect((await sys(s, `SELECT 1 FROM platform.outbox_pending`)).length).toBe(0);
      expect(await metricValue(s.t, "ghasi_outbox_poison_total", { reason: "too_large" })).toBe(poison.length);
      // The published event log does not list what never reached the bus.
      const log = await s.http("GET", "/api/v1/ops/events?type=catalog.course_version.published.v1&limit=500", { token: s.admin });
      expect(log.status).toBe(200);
      expect(log.body.items.filter((e: { eventId: string }) => poison.some((p) => p.eventId === e.eventId))).toEqual([]);

      // Operators see them under platform.dlq; a replay puts the row back in the queue, and one that is
      // still too large comes back with a second attempt in its history.
      const listed = await s.http("GET", "/api/v1/ops/dlq?queue=platform.dlq&limit=100", { token: s.admin });
      expect(listed.body.items).toHaveLength(poison.length);
      const replayed = await s.http("POST", `/api/v1/ops/dlq/${listed.body.items[0].id}/replay`, { token: s.admin });
      expect(replayed.status, JSON.stringify(replayed.body)).toBe(200);
      expect(replayed.body.status).toBe("requeued");
      await s.t.settle(30_000);
      const again = await sys<{ history: unknown[]; replayed_at: Date | null }>(
        s,
        `SELECT history, replayed_at FROM platform.dead_letters WHERE id = $1`,
        [listed.body.items[0].id],
      );
      expect(again[0]).toMatchObject({ replayed_at: null });
      expect(again[0]!.history).toHaveLength(2);
    },
  );

  it.skipIf(!onNats)("refused by JetStream go to the dead letters, and the rest of their batch is published", async () => {
    t = await startTestApp({ modules: [probeModule()], workers: false });
    const kernel = t.app.kernel;
    // A stream whose maximum message size is below this event's (an operator's setting): JetStream
    // answers 10054 for it, for good, while the relay's own size check lets it through.
    const jsm = await jetstreamManager((kernel.bus as unknown as { nc: Parameters<typeof jetstreamManager>[0] }).nc);
    const stream = kernel.bus!.streamName("operational");
    const info = await jsm.streams.info(stream);
    await jsm.streams.update(stream, { ...info.config, max_msg_size: 2_048 });
    const normal = keyPerBucket("k").flatMap((key) => [ping(key, 1), ping(key, 2)]);
    const refused = { ...ping(normal[0]!.partitionKey, 3), metadata: { traceparent: "t".repeat(4_000) } };
    await kernel.db.tx((tx) => kernel.outbox.append(tx, [...normal.slice(0, 8), refused, ...normal.slice(8)]));
    await t.app.start();
    await t.settle(20_000);
    const applied = await kernel.db.query<{ event_id: string }>(`SELECT event_id FROM platform.probe_effects`);
    expect(applied.rows.map((r) => r.event_id).sort()).toEqual(normal.map((e) => e.eventId).sort());
    const letters = await kernel.db.query<{ event_id: string; consumer: string; last_error: string }>(
      `SELECT event_id, consumer, last_error FROM platform.dead_letters`,
    );
    expect(letters.rows).toEqual([
      { event_id: refused.eventId, consumer: "platform.relay", last_error: expect.stringMatching(/refused by JetStream/) },
    ]);
    expect(await metricValue(t, "ghasi_outbox_poison_total", { reason: "refused" })).toBe(1);
  });
});
