import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { afterEach, describe, expect, it } from "vitest";
import type { MarketplacePorts } from "../../src/contexts/marketplace/module.js";
import { buy, flow, liveOffer, openShop, order, sys, type Shop } from "../orders/purchase-support.js";
import { waitUntil } from "../support/own-nats.js";
import { onPostgres, TEST_SECRET } from "../support/test-app.js";

/**
 * Issue 20: a process that dies during a renewal, then another that starts on the same database:
 * one charge, one period, one event. The renewal's transaction (deadline claimed, saga stepped,
 * billing's payment written, licence extended, earnings and renewed.v1 deferred to its COMMIT) dies
 * after billing answered the charge; the deadline is still there, fires again after the restart, and
 * asks billing again under the same reference (subscription, period 1, attempt 1).
 *
 * 1. In this process (embedded and PostgreSQL+NATS): the charge port throws after billing charged,
 *    until the app is stopped as a crash leaves the database (TestApp.restart), then a fresh app.
 * 2. PostgreSQL only: a real child process, SIGKILLed while its renewal transaction is open.
 */
const MONTHLY = { kind: "subscription", amount: 1_000, currency: "USD", interval: "month" } as const;
const HOUR = 3_600_000;

let shop: Shop | undefined;
afterEach(async () => {
  await shop?.t.stop();
  shop = undefined;
});

async function subscribed(s: Shop) {
  const offer = await liveOffer(s, MONTHLY);
  const placed = await buy(s, offer);
  expect(placed.status, JSON.stringify(placed.body)).toBe(201);
  await s.t.settle();
  const view = await order(s, placed.body.orderId);
  expect(view.status).toBe("fulfilled");
  const subscriptionId = view.items[0].subscriptionId as string;
  const got = await s.http("GET", `/api/v1/subscriptions/${subscriptionId}`, { token: s.buyer });
  expect(got.status).toBe(200);
  const periodEnd = new Date(got.body.currentPeriodEnd);
  return { orderId: placed.body.orderId as string, subscriptionId, licenseId: got.body.licenseId as string, periodEnd };
}

/** What a dead renewal transaction must have left: nothing of period 1 at all. */
async function nothingRenewed(s: Shop, subscriptionId: string, orderId: string) {
  const [left] = await sys<Record<string, number>>(
    s,
    `SELECT (SELECT count(*)::int FROM billing.payment_intents WHERE order_id LIKE $1 || '.%') AS payments,
            (SELECT period FROM marketplace.subscriptions WHERE subscription_id = $1) AS period,
            (SELECT count(*)::int FROM marketplace.earnings WHERE order_id = $2 AND period = 1) AS earnings,
            (SELECT count(*)::int FROM platform.outbox WHERE correlation_id = $1) AS events,
            (SELECT count(*)::int FROM platform.saga_deadlines WHERE saga_id = $1 AND name = 'renewal') AS deadlines`,
    [subscriptionId, orderId],
  );
  expect(left).toEqual({ payments: 0, period: 0, earnings: 0, events: 0, deadlines: 1 });
}

/** One billing payment for (subscription, period 1), one earnings row, one renewed.v1, the licence to the new period end. */
async function renewedOnce(s: Shop, ids: { subscriptionId: string; orderId: string; licenseId: string; periodEnd: Date }) {
  const payments = await sys<{ order_id: string; status: string; payment_id: string }>(
    s,
    `SELECT order_id, status, payment_id FROM billing.payment_intents WHERE order_id LIKE $1 || '.%'`,
    [ids.subscriptionId],
  );
  expect(payments.map((p) => [p.order_id, p.status])).toEqual([[`${ids.subscriptionId}.p1.a1`, "succeeded"]]);
  const charges = await sys(
    s,
    `SELECT period, attempt, status, payment_id FROM marketplace.subscription_charges WHERE subscription_id = $1 ORDER BY period`,
    [ids.subscriptionId],
  );
  expect(charges.map((c) => [c.period, c.attempt, c.status])).toEqual([
    [0, 1, "succeeded"],
    [1, 1, "succeeded"],
  ]);
  expect(charges[1]!.payment_id).toBe(payments[0]!.payment_id);
  const earnings = await sys(s, `SELECT period FROM marketplace.earnings WHERE order_id = $1 AND kind = 'sale' ORDER BY period`, [
    ids.orderId,
  ]);
  expect(earnings.map((e) => e.period)).toEqual([0, 1]);
  const events = await flow(s, ids.subscriptionId);
  expect(events.map((e) => [e.type, e.payload.period])).toEqual([["marketplace.subscription.renewed.v1", 1]]);
  expect(events[0]!.payload.paymentId).toBe(payments[0]!.payment_id);
  const newEnd = new Date(ids.periodEnd);
  newEnd.setUTCMonth(newEnd.getUTCMonth() + 1);
  const [sub] = await sys(s, `SELECT status, period, current_period_end FROM marketplace.subscriptions WHERE subscription_id = $1`, [
    ids.subscriptionId,
  ]);
  expect({ ...sub, current_period_end: new Date(sub!.current_period_end).toISOString() }).toEqual({
    status: "active",
    period: 1,
    current_period_end: newEnd.toISOString(),
  });
  const [license] = await sys(s, `SELECT state, valid_until FROM marketplace.licenses WHERE license_id = $1`, [ids.licenseId]);
  expect(license!.state).toBe("active");
  expect(new Date(license!.valid_until).toISOString()).toBe(newEnd.toISOString());
  const deadlines = await sys(s, `SELECT name, due_at FROM platform.saga_deadlines WHERE saga_id = $1`, [ids.subscriptionId]);
  expect(deadlines.map((d) => [d.name, new Date(d.due_at).toISOString()])).toEqual([
    ["renewal", new Date(newEnd.getTime() - HOUR).toISOString()],
  ]);
}

async function advance(s: Shop, body: { ms: number } | { to: string }) {
  const response = await s.http("POST", "/api/v1/test-clock/advance", { token: s.admin, body });
  expect(response.status, JSON.stringify(response.body)).toBe(200);
  await s.t.settle();
}

describe("a process killed during a renewal, restarted", () => {
  it("the renewal's transaction dies after billing charged; after the restart: one charge, one period, one event", async () => {
    const crash = { armed: false, answers: [] as string[] };
    const dyingCharge = (ports: MarketplacePorts): MarketplacePorts => ({
      ...ports,
      payments: {
        ...ports.payments,
        chargeOnFile: async (tx, request) => {
          const answer = await ports.payments.chargeOnFile(tx, request);
          if (!crash.armed) return answer;
          crash.answers.push(`${request.chargeRef}:${answer.status}`);
          throw new Error("the process died inside the renewal's transaction, after billing charged");
        },
      },
    });
    shop = await openShop({ persistent: true, env: { TEST_CLOCK: "on" }, wiring: { marketplace: dyingCharge } });
    const ids = await subscribed(shop);

    // The renewal falls due in a process that dies in it: each attempt rolls back, the deadline stays.
    crash.armed = true;
    shop.t.clock.set(new Date(ids.periodEnd.getTime() - HOUR + 1_000));
    await waitUntil("the renewal charged inside the dying process", () => crash.answers.length >= 1, 15_000, 20);
    expect(new Set(crash.answers)).toEqual(new Set([`${ids.subscriptionId}.p1.a1:succeeded`]));
    await nothingRenewed(shop, ids.subscriptionId, ids.orderId);

    // The process goes, crash and all; a fresh one starts on the same database and the deadline fires again.
    const dying = shop.t.app;
    const stop = dying.stop.bind(dying);
    dying.stop = async () => {
      await stop();
      crash.armed = false;
    };
    await shop.t.restart();
    expect(shop.t.app).not.toBe(dying);
    await advance(shop, { ms: 60_000 });
    await renewedOnce(shop, ids);

    // Two days on, still one of each: nothing fires twice, the next renewal is a month away.
    await advance(shop, { to: new Date(ids.periodEnd.getTime() + 2 * 86_400_000).toISOString() });
    await renewedOnce(shop, ids);
  }, 120_000);

  it.skipIf(!onPostgres)(
    "a real process SIGKILLed while its renewal transaction is open: one charge, one period, one event",
    async () => {
      shop = await openShop({ env: { TEST_CLOCK: "on" } });
      const ids = await subscribed(shop);
      const due = new Date(ids.periodEnd.getTime() - HOUR + 1_000);
      const config = shop.t.config;
      const child = spawn(process.execPath, ["--import", "tsx", fileURLToPath(new URL("./renewal-crash-process.ts", import.meta.url))], {
        env: {
          ...process.env,
          DATABASE_URL: config.databaseUrl!,
          DATABASE_POOL_SIZE: "2",
          ...(config.natsUrl ? { NATS_URL: config.natsUrl, NATS_PREFIX: config.natsPrefix } : {}),
          AUTH_JWT_SECRET: TEST_SECRET,
          LOG_LEVEL: "warn",
          CRASH_CLOCK: due.toISOString(),
        },
        stdio: ["ignore", "pipe", "pipe"],
      });
      const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
      let out = "";
      let err = "";
      child.stdout!.on("data", (chunk: Buffer) => (out += chunk.toString("utf8")));
      child.stderr!.on("data", (chunk: Buffer) => (err = (err + chunk.toString("utf8")).slice(-4_000)));
      try {
        await waitUntil(
          "the child charged the renewal",
          () => {
            if (child.exitCode !== null) throw new Error(`the child exited (${child.exitCode}): ${out} ${err}`);
            return out.includes("\n");
          },
          60_000,
          50,
        );
        expect(JSON.parse(out.split("\n")[0]!)).toMatchObject({ chargeRef: `${ids.subscriptionId}.p1.a1`, status: "succeeded" });
        // Its transaction is open on the server, holding the saga and the deadline; nothing of it is visible.
        // (Read as the connecting user, outside the app's role, which is not shown other sessions' states.)
        const admin = new pg.Client({ connectionString: config.databaseUrl });
        await admin.connect();
        const open = await admin
          .query(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND state = 'idle in transaction'`)
          .finally(() => admin.end());
        expect(open.rows[0].n).toBeGreaterThanOrEqual(1);
        await nothingRenewed(shop, ids.subscriptionId, ids.orderId);
      } finally {
        child.kill("SIGKILL");
        await exited;
      }
      expect(child.signalCode).toBe("SIGKILL");

      // This process's clock reaches the due time: the deadline the dead one held fires here.
      await advance(shop, { to: new Date(due.getTime() + 60_000).toISOString() });
      await renewedOnce(shop, ids);
    },
    120_000,
  );
});
