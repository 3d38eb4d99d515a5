import pino from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { createApp } from "../../src/app.js";
import { OffsetClock } from "../../src/platform/clock.js";
import { loadConfig } from "../../src/platform/config.js";
import { mintToken } from "../../src/platform/http/auth.js";
import type { ContextModule } from "../../src/platform/module.js";
import { Poller } from "../../src/platform/poller.js";
import { RejectionError } from "../../src/platform/result.js";
import { TestClock } from "../../src/platform/test-clock.js";
import { buy, liveOffer, openShop, order, sys, type Shop } from "../orders/purchase-support.js";
import { seatPack } from "../seats/seats-support.js";
import { call, startTestApp, TEST_SECRET, type TestApp } from "../support/test-app.js";

const MINUTE = 60_000;
const DAY = 86_400_000;
const PAYMENT_TIMEOUT_MS = 15 * MINUTE; // ORDER_PAYMENT_TIMEOUT_MS's default

let t: TestApp | undefined;
let shop: Shop | undefined;
afterEach(async () => {
  await t?.stop();
  await shop?.t.stop();
  t = shop = undefined;
});

const tokens = async (app: TestApp) => ({
  admin: await app.token({ sub: "usr_admin", tid: "ten_platform", roles: ["platform_admin"] }),
  learner: await app.token({ sub: "usr_l", tid: "ten_a", roles: ["learner"] }),
});

const eventsOf = (s: Shop, type: string, aggregateId: string) =>
  sys<{ envelope: { occurredAt: string; payload: Record<string, unknown> } }>(
    s,
    `SELECT envelope FROM platform.outbox WHERE type = $1 AND aggregate_id = $2 ORDER BY position`,
    [type, aggregateId],
  );

describe("test clock routes", () => {
  it("are not there without TEST_CLOCK=on: both answer 404 like any unknown route", async () => {
    t = await startTestApp();
    const { admin } = await tokens(t);
    expect((await call(t.app, "GET", "/api/v1/test-clock", { token: admin })).status).toBe(404);
    expect((await call(t.app, "POST", "/api/v1/test-clock/advance", { token: admin, body: { ms: 1000 } })).status).toBe(404);
  });

  it("is refused at start-up in production", () => {
    expect(() => loadConfig({ TEST_CLOCK: "on", NODE_ENV: "production" })).toThrow(/TEST_CLOCK/);
    expect(() => loadConfig({ TEST_CLOCK: "yes" })).toThrow(/TEST_CLOCK/);
    expect(loadConfig({ TEST_CLOCK: "on", NODE_ENV: "test" }).testClock).toBe(true);
    expect(loadConfig({ NODE_ENV: "production" }).testClock).toBe(false);
  });

  it("reads the clock for any caller and moves it only for platform admins, only forward, within bounds", async () => {
    t = await startTestApp({ env: { TEST_CLOCK: "on" } });
    const { admin, learner } = await tokens(t);
    const start = t.clock.now().getTime();

    expect((await call(t.app, "GET", "/api/v1/test-clock")).status).toBe(401);
    const read = await call(t.app, "GET", "/api/v1/test-clock", { token: learner });
    expect([read.status, read.body]).toEqual([200, { now: new Date(start).toISOString() }]);

    const forbidden = await call(t.app, "POST", "/api/v1/test-clock/advance", { token: learner, body: { ms: 1000 } });
    expect([forbidden.status, forbidden.body.code]).toEqual([403, "AUTH.FORBIDDEN"]);
    expect(t.clock.now().getTime()).toBe(start);

    const byMs = await call(t.app, "POST", "/api/v1/test-clock/advance", { token: admin, body: { ms: 90_000 } });
    expect(byMs.status, JSON.stringify(byMs.body)).toBe(200);
    expect(byMs.body).toEqual({ now: new Date(start + 90_000).toISOString(), fired: 0 });
    expect(t.clock.now().getTime()).toBe(start + 90_000);

    const to = new Date(start + DAY).toISOString();
    const byTo = await call(t.app, "POST", "/api/v1/test-clock/advance", { token: admin, body: { to } });
    expect([byTo.status, byTo.body.now]).toEqual([200, to]);

    const backwards = await call(t.app, "POST", "/api/v1/test-clock/advance", {
      token: admin,
      body: { to: new Date(start).toISOString() },
    });
    expect([backwards.status, backwards.body.code]).toEqual([422, "TEST_CLOCK.BACKWARDS"]);
    const tooFar = await call(t.app, "POST", "/api/v1/test-clock/advance", {
      token: admin,
      body: { to: new Date(start + 6 * 366 * DAY).toISOString() },
    });
    expect([tooFar.status, tooFar.body.code]).toEqual([422, "TEST_CLOCK.TOO_FAR"]);
    expect(t.clock.now().toISOString()).toBe(to);

    for (const body of [{}, { ms: 0 }, { ms: -5 }, { ms: 1.5 }, { ms: 6 * 366 * DAY }, { ms: 1, to }, { to: "tomorrow" }, { ms: "1000" }]) {
      const bad = await call(t.app, "POST", "/api/v1/test-clock/advance", { token: admin, body });
      expect([bad.status, bad.body.code], JSON.stringify(body)).toEqual([400, "REQUEST.VALIDATION_FAILED"]);
    }
    expect(t.clock.now().toISOString()).toBe(to);
  });

  it("without a clock passed in, flows with real time and adds each advance to an offset", async () => {
    const config = loadConfig({ AUTH_JWT_SECRET: TEST_SECRET, TEST_CLOCK: "on", LOG_LEVEL: "silent" });
    const app = await createApp(config, { dataDir: null, logger: pino({ level: "silent" }) });
    try {
      const admin = await mintToken(TEST_SECRET, { sub: "usr_admin", tid: "ten_platform", roles: ["platform_admin"] });
      const before = Date.now();
      const read = await call(app, "GET", "/api/v1/test-clock", { token: admin });
      expect(Date.parse(read.body.now)).toBeGreaterThanOrEqual(before);
      expect(Date.parse(read.body.now)).toBeLessThanOrEqual(Date.now());
      const moved = await call(app, "POST", "/api/v1/test-clock/advance", { token: admin, body: { ms: DAY } });
      expect(moved.status, JSON.stringify(moved.body)).toBe(200);
      expect(Date.parse(moved.body.now) - Date.now()).toBeGreaterThan(DAY - 5_000);
      expect(Date.parse(moved.body.now) - Date.now()).toBeLessThanOrEqual(DAY);
    } finally {
      await app.stop();
    }
  });

  it("an offset clock keeps flowing between advances, and set never needs the wall clock to stop", () => {
    let wall = 1_000_000;
    const clock = new OffsetClock(() => wall);
    clock.advance(500);
    expect(clock.now().getTime()).toBe(1_000_500);
    wall += 10;
    expect(clock.now().getTime()).toBe(1_000_510);
    clock.set(new Date(5_000_000));
    wall += 7;
    expect(clock.now().getTime()).toBe(5_000_007);
  });
});

describe("advancing the test clock fires every deadline on the way, in order", () => {
  it("fails an order whose payment never answers as soon as the advance past its payment deadline returns", async () => {
    shop = await openShop({ env: { TEST_CLOCK: "on" } });
    const offer = await liveOffer(shop);
    const placed = await buy(shop, offer, { payment: { method: "card", token: "tok_timeout" } });
    expect(placed.status, JSON.stringify(placed.body)).toBe(201);
    const placedAt = shop.t.clock.now().getTime();
    const advance = (body: unknown) => shop!.http("POST", "/api/v1/test-clock/advance", { token: shop!.admin, body });

    const almost = await advance({ ms: PAYMENT_TIMEOUT_MS - 1 });
    expect([almost.status, almost.body.fired]).toEqual([200, 0]);
    expect((await order(shop, placed.body.orderId)).status).toBe("awaiting_payment");

    const past = await advance({ ms: 1 + 5 * MINUTE });
    expect(past.status, JSON.stringify(past.body)).toBe(200);
    expect(past.body).toEqual({ now: new Date(placedAt + PAYMENT_TIMEOUT_MS + 5 * MINUTE).toISOString(), fired: 1 });
    // No waiting loop: the advance returned only once the deadline's effects had settled.
    const view = await order(shop, placed.body.orderId);
    expect(view.status).toBe("failed");
    expect(view.failure).toMatchObject({ reason: "PAYMENT_TIMEOUT", stage: "payment" });
    const [failed] = await eventsOf(shop, "marketplace.order.failed.v1", placed.body.orderId);
    expect(failed!.envelope.payload).toMatchObject({ failureReason: "PAYMENT_TIMEOUT", rollbackCompleted: true });
    // Dated at the deadline, not at the advance's target.
    expect(failed!.envelope.occurredAt).toBe(new Date(placedAt + PAYMENT_TIMEOUT_MS).toISOString());
  });

  it("lets a consumer of the deadline's event run and retry at its own times before the advance returns", async () => {
    // Fails twice: the retries (1 s, then 5 s later) are timers the advance steps through too.
    const attemptsAt = new Set<number>();
    const flaky: ContextModule = {
      name: "clock-probe",
      events: [],
      errors: {},
      install({ kernel }) {
        kernel.hub.register({
          name: "clock-probe.order-failed",
          types: ["marketplace.order.failed.v1"],
          handle: async () => {
            // Slow on purpose: an advance that did not wait for the bus would have moved the clock on meanwhile.
            await new Promise((resolve) => setTimeout(resolve, 200));
            attemptsAt.add(kernel.clock.now().getTime());
            if (attemptsAt.size < 3) throw new Error("not yet");
          },
        });
      },
    };
    shop = await openShop({ env: { TEST_CLOCK: "on" }, modules: [flaky] });
    const offer = await liveOffer(shop);
    const placed = await buy(shop, offer, { payment: { method: "card", token: "tok_timeout" } });
    const deadline = shop.t.clock.now().getTime() + PAYMENT_TIMEOUT_MS;
    const advanced = await shop.http("POST", "/api/v1/test-clock/advance", {
      token: shop.admin,
      body: { ms: PAYMENT_TIMEOUT_MS + MINUTE },
    });
    expect(advanced.status, JSON.stringify(advanced.body)).toBe(200);
    expect(advanced.body.fired).toBe(3);
    expect([...attemptsAt].map((at) => at - deadline)).toEqual([0, 1_000, 6_000]);
    const retries = await sys(shop, `SELECT 1 FROM platform.consumer_retries WHERE consumer = 'clock-probe.order-failed'`);
    expect(retries).toEqual([]);
    expect((await order(shop, placed.body.orderId)).status).toBe("failed");
  });

  it("stops at each due time: a payment deadline, then a license's expiry, each dated at its own time", async () => {
    shop = await openShop({ env: { TEST_CLOCK: "on" } });
    const pack = await seatPack(shop, 2, { validityDays: 30 });
    const license = await shop.http("GET", `/api/v1/licenses/${pack.licenseId}`, { token: shop.admin });
    const validUntil = license.body.validUntil as string;
    const offer = await liveOffer(shop);
    const placed = await buy(shop, offer, { payment: { method: "card", token: "tok_timeout" } });
    const placedAt = shop.t.clock.now().getTime();
    const target = new Date(Date.parse(validUntil) + 30 * DAY).toISOString();

    const advanced = await shop.http("POST", "/api/v1/test-clock/advance", { token: shop.admin, body: { to: target } });
    expect(advanced.status, JSON.stringify(advanced.body)).toBe(200);
    expect(advanced.body.now).toBe(target);
    expect(advanced.body.fired).toBeGreaterThanOrEqual(2);

    expect((await order(shop, placed.body.orderId)).status).toBe("failed");
    const [failed] = await eventsOf(shop, "marketplace.order.failed.v1", placed.body.orderId);
    expect(failed!.envelope.occurredAt).toBe(new Date(placedAt + PAYMENT_TIMEOUT_MS).toISOString());

    expect((await shop.http("GET", `/api/v1/licenses/${pack.licenseId}`, { token: shop.admin })).body.state).toBe("expired");
    const expired = await eventsOf(shop, "marketplace.license.expired.v1", pack.licenseId);
    expect(expired).toHaveLength(1);
    expect(expired[0]!.envelope.payload).toMatchObject({ licenseId: pack.licenseId, expiredAt: validUntil });
    // The clock stopped at valid_until: the worker's event carries that time, not the target's.
    expect(expired[0]!.envelope.occurredAt).toBe(validUntil);
  });

  it("gives up with TEST_CLOCK.UNSETTLED on a timer that re-arms for ever, instead of looping", async () => {
    t = await startTestApp({ env: { TEST_CLOCK: "on" } });
    const clock = t.clock;
    const rearming = new Poller("rearming", 60_000, async () => 0, pino({ level: "silent" }), {
      nextDue: async () => new Date(clock.now().getTime() + 1),
    });
    const testClock = new TestClock(clock, { ...t.app.kernel, pollers: [rearming] }, { maxSteps: 5, maxWallMs: 10_000 });
    const start = clock.now().getTime();
    const failure = await testClock.advance({ ms: 60_000 }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(RejectionError);
    expect((failure as RejectionError).rejection.code).toBe("TEST_CLOCK.UNSETTLED");
    // It went forward as far as it got (never back), and the next advance is not blocked by the failed one.
    expect(clock.now().getTime() - start).toBe(5);
    await expect(testClock.advance({ ms: 1 })).resolves.toMatchObject({ fired: 1 });
  });

  it("never interleaves two advances: each starts from where the one before it ended", async () => {
    t = await startTestApp({ env: { TEST_CLOCK: "on" } });
    const { admin } = await tokens(t);
    const start = t.clock.now().getTime();
    const answers = await Promise.all(
      [1_000, 2_000, 3_000].map((ms) => call(t!.app, "POST", "/api/v1/test-clock/advance", { token: admin, body: { ms } })),
    );
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200]);
    // Whatever order they ran in, each began where the previous one ended: the steps add up.
    const ends = answers.map((a) => Date.parse(a.body.now) - start).sort((a, b) => a - b);
    expect(ends[2]).toBe(6_000);
    expect([ends[0]!, ends[1]! - ends[0]!, ends[2]! - ends[1]!].sort((a, b) => a - b)).toEqual([1_000, 2_000, 3_000]);
  });
});
