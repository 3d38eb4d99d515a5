import { afterAll, describe, expect, it } from "vitest";
import { buy, liveOffer, openShop, sys, type Shop } from "../orders/purchase-support.js";
import { OwnNats, waitUntil } from "../support/own-nats.js";
import { onNats } from "../support/test-app.js";

/** Issue 18: the client gave up after 10 reconnect attempts (~20 s), and the process never published again. */
const OUTAGE_MS = 65_000;
const FLOW = [
  "marketplace.order.placed.v1",
  "billing.payment.succeeded.v1",
  "marketplace.order.paid.v1",
  "marketplace.license.granted.v1",
  "marketplace.license.granted.v2",
  "enrollment.created.v1",
  "marketplace.order.fulfilled.v1",
];

let nats: OwnNats | undefined;
let shop: Shop | undefined;
afterAll(async () => {
  await shop?.t.stop().catch(() => undefined);
  await nats?.remove();
});

const metric = async (name: string) => (await shop!.t.app.kernel.metrics.registry.getSingleMetric(name)?.get())?.values[0]?.value ?? NaN;

describe.skipIf(!onNats)("a NATS outage longer than a minute", () => {
  it(
    "is survived: /ready is 503 during it and 200 after, and every order placed before or during it is fulfilled once",
    { timeout: 240_000 },
    async () => {
      nats = await OwnNats.start();
      shop = await openShop({ env: { NATS_URL: nats.url } });
      const s = shop;
      const offer = await liveOffer(s);
      let buyers = 0;
      const place = async () => {
        const token = await s.t.token({ sub: `usr_outage_${++buyers}`, tid: "ten_buyer", roles: ["learner"] });
        const placed = await buy(s, offer, { token });
        expect(placed.status, JSON.stringify(placed.body)).toBe(201);
        return placed.body.orderId as string;
      };
      const statusOf = async (orderId: string) =>
        (await sys<{ status: string }>(s, `SELECT status FROM marketplace.orders WHERE order_id = $1`, [orderId]))[0]?.status;
      const ready = async () => (await s.http("GET", "/ready")).status;

      const orders = [await place(), await place()];
      await s.t.settle();
      expect(await Promise.all(orders.map(statusOf))).toEqual(["fulfilled", "fulfilled"]);

      // Orders in flight when the server dies: their events are in the outbox, some maybe on the wire.
      orders.push(await place(), await place());
      const downAt = Date.now();
      await nats.down();
      await waitUntil("/ready to say 503", async () => (await ready()) === 503, 10_000);
      expect.soft(await metric("ghasi_bus_connected")).toBe(0);
      const errorsAtStart = await metric("outbox_relay_errors_total");

      // Orders keep being taken (the outbox is in PostgreSQL), early and late in the outage.
      orders.push(await place(), await place());
      await new Promise((resolve) => setTimeout(resolve, OUTAGE_MS / 2));
      orders.push(await place());
      expect(await ready()).toBe(503);
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, downAt + OUTAGE_MS - Date.now())));
      orders.push(await place());
      expect(await ready()).toBe(503);
      // The relay waits for the bus instead of failing a pass at every commit and poll.
      expect.soft((await metric("outbox_relay_errors_total")) - errorsAtStart).toBeLessThan(10);

      await nats.up();
      await waitUntil("/ready to say 200 after the outage", async () => (await ready()) === 200, 30_000, 250);
      // The relay, the consumers and the sagas finish on their own: nothing here publishes for them.
      await waitUntil(
        "every order to be fulfilled",
        async () => (await Promise.all(orders.map(statusOf))).every((status) => status === "fulfilled"),
        90_000,
        500,
      );
      await s.t.settle(30_000);
      expect.soft(await metric("ghasi_bus_connected")).toBe(1);
      expect.soft(await metric("ghasi_bus_reconnects_total")).toBeGreaterThanOrEqual(1);

      for (const orderId of orders) {
        // Each event of the flow once: no event lost, none doubled by the republishing after recovery.
        const flow = await sys<{ type: string }>(s, `SELECT type FROM platform.outbox WHERE correlation_id = $1 ORDER BY position`, [
          orderId,
        ]);
        expect(
          flow.map((e) => e.type),
          orderId,
        ).toEqual(FLOW);
        const grants = await sys<{ n: number }>(s, `SELECT count(*)::int AS n FROM marketplace.licenses WHERE order_id = $1`, [orderId]);
        expect(grants[0]!.n, orderId).toBe(1);
      }
      const enrollments = await sys<{ n: number }>(
        s,
        `SELECT count(*)::int AS n FROM enrollment.enrollments WHERE user_id LIKE 'usr_outage_%'`,
      );
      expect(enrollments[0]!.n).toBe(orders.length);
      expect(await sys(s, `SELECT consumer, last_error FROM platform.dead_letters`)).toEqual([]);
    },
  );
});
