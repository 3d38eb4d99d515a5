import pino from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { createApp, type App } from "../../src/app.js";
import type { MarketplacePorts } from "../../src/contexts/marketplace/module.js";
import { settle as settleApp } from "../support/test-app.js";
import { buy, liveOffer, openShop, sys, type Shop } from "../orders/purchase-support.js";
import { onPostgres } from "../support/test-app.js";

/**
 * Issue 20: 1,000 subscriptions falling due in the same second all renew exactly once, while TWO
 * app instances on the same database (and the same NATS streams, as two replicas would) fire the
 * renewal deadlines at the same time. PostgreSQL only: PGlite is one connection in one process.
 *
 * The subscriptions are bought through the real purchase flow (HTTP orders by 1,000 buyers, in
 * parallel batches): it takes ~30 s here, so nothing is cloned in SQL.
 */
const N = 1_000;
const BATCH = 25;
const MONTHLY = { kind: "subscription", amount: 1_000, currency: "USD", interval: "month" } as const;

let shop: Shop | undefined;
let second: App | undefined;
afterEach(async () => {
  await second?.stop();
  second = undefined;
  await shop?.t.stop();
  shop = undefined;
});

/** Counts the renewal charges each instance asked billing for (its own port adapter). */
function countingCharges(counter: { n: number }) {
  return (ports: MarketplacePorts): MarketplacePorts => ({
    ...ports,
    payments: {
      ...ports.payments,
      chargeOnFile: async (tx, request) => {
        counter.n++;
        return ports.payments.chargeOnFile(tx, request);
      },
    },
  });
}

const deadlinePoller = (app: App) => app.kernel.pollers.find((p) => p.name === "marketplace.subscription-deadlines")!;

describe.skipIf(!onPostgres)("1,000 renewals in the same second, two instances firing", () => {
  it("renews every subscription exactly once: 1,000 charges, 1,000 earnings, 1,000 renewed events, period 1", async () => {
    const firstCharges = { n: 0 };
    const secondCharges = { n: 0 };
    // Two pools of 16 on the shared server (max_connections 100), not the default 24 each.
    shop = await openShop({
      env: { TEST_CLOCK: "on", DATABASE_POOL_SIZE: "16" },
      wiring: { marketplace: countingCharges(firstCharges) },
    });
    const offer = await liveOffer(shop, MONTHLY);

    const buying = Date.now();
    const orderIds: string[] = [];
    for (let i = 0; i < N; i += BATCH) {
      const placed = await Promise.all(
        Array.from({ length: Math.min(BATCH, N - i) }, async (_, j) => {
          const token = await shop!.t.token({ sub: `usr_burst_${i + j}`, tid: "ten_buyer", roles: ["learner"] });
          const response = await buy(shop!, offer, { token });
          expect(response.status, JSON.stringify(response.body)).toBe(201);
          return response.body.orderId as string;
        }),
      );
      orderIds.push(...placed);
    }
    await shop.t.settle(120_000);
    const boughtMs = Date.now() - buying;

    // All 1,000 started with the clock standing still: one renewal each, due at the same instant.
    const started = await sys<{ subs: number; fulfilled: number }>(
      shop,
      `SELECT (SELECT count(*)::int FROM marketplace.subscriptions WHERE status = 'active' AND period = 0) AS subs,
              (SELECT count(*)::int FROM marketplace.orders WHERE order_id = ANY($1::text[]) AND status = 'fulfilled') AS fulfilled`,
      [orderIds],
    );
    expect(started[0]).toEqual({ subs: N, fulfilled: N });
    const deadlines = await sys<{ n: number; seconds: number; due: Date }>(
      shop,
      `SELECT count(*)::int AS n, count(DISTINCT date_trunc('second', due_at))::int AS seconds, min(due_at) AS due
         FROM platform.saga_deadlines WHERE saga_type = 'marketplace.subscription' AND name = 'renewal'`,
    );
    expect(deadlines[0]).toMatchObject({ n: N, seconds: 1 });
    const due = new Date(deadlines[0]!.due);
    expect(due.toISOString()).toBe("2026-04-01T08:00:00.000Z"); // an hour before the first month ends
    expect(firstCharges.n).toBe(0);

    // A second instance on the same database and streams, sharing the test's clock, workers running.
    second = await createApp(shop.t.config, {
      clock: shop.t.clock,
      dataDir: null,
      wiring: { marketplace: countingCharges(secondCharges) },
      logger: pino({ level: shop.t.config.logLevel }),
    });
    await second.start();

    // The second falls due: both instances' background loops (50 ms) and a pass each started at
    // once claim deadlines with SKIP LOCKED, 100 at a time.
    const firing = Date.now();
    shop.t.clock.set(new Date(due.getTime() + 1_000));
    const [byFirst, bySecond] = await Promise.all([deadlinePoller(shop.t.app).runUntilIdle(), deadlinePoller(second).runUntilIdle()]);
    // Until none is left at period 0 (what each became is checked below): at most 60 rounds of settling both instances, within 120 s.
    const until = Date.now() + 120_000;
    for (let round = 0; ; round++) {
      await settleApp(shop.t.app, 60_000);
      await settleApp(second, 60_000);
      const left = await sys<{ n: number }>(
        shop,
        `SELECT count(*)::int AS n FROM marketplace.subscriptions WHERE period = 0 AND status = 'active'`,
      );
      if (left[0]!.n === 0) break;
      if (round >= 60 || Date.now() > until) throw new Error(`${left[0]!.n} subscriptions not renewed after ${round} rounds`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const firedMs = Date.now() - firing;
    console.info(
      `renewal burst: bought ${N} in ${boughtMs} ms; renewed in ${firedMs} ms; passes fired ${byFirst} + ${bySecond}; ` +
        `charges asked by instance 1: ${firstCharges.n}, instance 2: ${secondCharges.n}`,
    );
    // Both instances did renewals (else this proved nothing about concurrency), and no charge was asked twice.
    expect(firstCharges.n).toBeGreaterThan(0);
    expect(secondCharges.n).toBeGreaterThan(0);
    expect(firstCharges.n + secondCharges.n).toBe(N);

    const [facts] = await sys<Record<string, number>>(
      shop,
      `SELECT
         (SELECT count(*)::int FROM billing.payment_intents WHERE order_id LIKE 'sub\\_%') AS charges,
         (SELECT count(*)::int FROM billing.payment_intents WHERE order_id LIKE 'sub\\_%.p1.a1' AND status = 'succeeded') AS renewals,
         (SELECT count(DISTINCT order_id)::int FROM billing.payment_intents WHERE order_id LIKE 'sub\\_%.p1.a1') AS distinct_renewals,
         (SELECT count(*)::int FROM marketplace.earnings WHERE kind = 'sale' AND period = 1) AS earnings,
         (SELECT count(DISTINCT (order_id, line))::int FROM marketplace.earnings WHERE kind = 'sale' AND period = 1) AS earning_lines,
         (SELECT count(*)::int FROM marketplace.earnings WHERE kind = 'sale' AND period > 1) AS later_earnings,
         (SELECT count(*)::int FROM platform.outbox WHERE type = 'marketplace.subscription.renewed.v1') AS renewed,
         (SELECT count(DISTINCT envelope->'payload'->>'subscriptionId')::int FROM platform.outbox
           WHERE type = 'marketplace.subscription.renewed.v1' AND (envelope->'payload'->>'period')::int = 1) AS renewed_subs,
         (SELECT count(*)::int FROM platform.outbox
           WHERE type LIKE 'marketplace.subscription.%' AND type <> 'marketplace.subscription.renewed.v1') AS other_events,
         (SELECT count(*)::int FROM marketplace.subscriptions WHERE period = 1 AND status = 'active'
             AND current_period_end = '2026-05-01T09:00:00Z') AS period_one,
         (SELECT count(*)::int FROM marketplace.subscription_charges
           WHERE period = 1 AND attempt = 1 AND status = 'succeeded') AS charge_rows,
         (SELECT count(*)::int FROM marketplace.subscription_charges WHERE period > 1 OR attempt > 1) AS extra_charge_rows,
         (SELECT count(*)::int FROM marketplace.licenses l JOIN marketplace.subscriptions s ON s.license_id = l.license_id
           WHERE l.state = 'active' AND l.valid_until = s.current_period_end) AS licenses_extended,
         (SELECT count(*)::int FROM platform.saga_steps st JOIN platform.saga_instances i ON i.id = st.saga_id
           WHERE i.saga_type = 'marketplace.subscription' AND st.input = 'RenewalDue') AS renewal_steps,
         (SELECT count(*)::int FROM platform.saga_deadlines WHERE saga_type = 'marketplace.subscription' AND name = 'renewal'
             AND due_at = '2026-05-01T08:00:00Z') AS next_renewals,
         (SELECT count(*)::int FROM platform.dead_letters) AS dead`,
    );
    expect(facts).toEqual({
      charges: N,
      renewals: N,
      distinct_renewals: N,
      earnings: N,
      earning_lines: N,
      later_earnings: 0,
      renewed: N,
      renewed_subs: N,
      other_events: 0,
      period_one: N,
      charge_rows: N,
      extra_charge_rows: 0,
      licenses_extended: N,
      renewal_steps: N,
      next_renewals: N,
      dead: 0,
    });
  }, 300_000);
});
