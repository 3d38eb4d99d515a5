// Issue 20's figure: renewals processed per second when 10,000 monthly subscriptions fall due at
// once, and what that burst does to POST /orders at half the purchase rate. Target: ≥ 500
// renewals/s; purchases' p99 during the burst ≤ 250 ms.
//
// Method. The server runs with TEST_CLOCK=on (its clock is real time plus an offset the bench can
// move). A few subscriptions are bought through the HTTP API (the real flow); the rest are cloned
// from them in SQL, every row the purchase wrote (bench/subscription-seed.ts), so all fall due
// within the span of the real purchases. The purchase rate is half what 64 clients reach here
// after a warm-up (as the purchases scenario measures it), or RENEWAL_PURCHASE_RATE. A baseline of
// purchases at that rate is taken first. Then the clock is advanced (POST /test-clock/advance,
// answered once settled, with nothing running) to just before the first renewal is due, and real
// time brings the deadlines due: the service's own deadline worker fires them, as in production,
// not the advance's settling loop (which would also wait for the purchases to go quiet). From the
// first due time, purchases run at the same rate until every subscription has period ≥ 1 (counted
// in SQL every 100 ms): renewals/s = subscriptions / that time.
import { round, type BenchEnv, type BenchServer, type Mode } from "../lib.js";
import { awaitFulfilment, http, openStorefront, p, placeOrders, type LoadResult, type Storefront } from "../purchase-client.js";
import { seedSubscriptions } from "../subscription-seed.js";
import { pgbenchTps } from "./purchases.js";

export const name = "renewals";
export const modes: Mode[] = ["postgres"];

const CONNECTIONS = 64;
const SUBSCRIPTIONS = Number(process.env.RENEWAL_SUBSCRIPTIONS ?? 10_000);
/** Bought through the HTTP API; the rest are cloned from these in SQL. */
const REAL = Math.min(SUBSCRIPTIONS, Number(process.env.RENEWAL_REAL_SUBSCRIPTIONS ?? 200));
const WARM_SECONDS = 3;
const SECONDS = 10;
/** How far before the first renewal the clock is moved: the bench then waits that long in real time. */
const LEAD_MS = 2_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function must(request: Promise<{ status: number; body: any }>, what: string): Promise<any> {
  const response = await request;
  if (response.status >= 300) throw new Error(`${what}: ${response.status} ${JSON.stringify(response.body)}`);
  return response.body;
}

/** The server's clock minus this process's (same machine, same wall clock): the test clock's offset. */
async function clockOffset(server: BenchServer, admin: string): Promise<number> {
  const before = Date.now();
  const { now } = await must(http(server.baseUrl, "GET", "/api/v1/test-clock", admin), "test clock");
  return Date.parse(now) - (before + Date.now()) / 2;
}

/** Places orders at `rate` per second in 2-second rounds until `done()`; one result for them all. */
async function placeUntil(front: Storefront, rate: number, done: () => boolean): Promise<LoadResult> {
  const all: LoadResult = { placed: 0, errors: 0, seconds: 0, postLatencies: [], orderIds: [] };
  for (let round = 0; !done(); round++) {
    const part = await placeOrders(front, { connections: CONNECTIONS, seconds: 2, ratePerSecond: rate, tag: `burst${round}` });
    all.placed += part.placed;
    all.errors += part.errors;
    all.seconds += part.seconds;
    all.postLatencies.push(...part.postLatencies);
    all.orderIds.push(...part.orderIds);
  }
  all.postLatencies.sort((a, b) => a - b);
  return all;
}

/** Polls the renewed count every 100 ms from `t0` (ms, this process's clock) until all are renewed; the time it took. */
async function renewalsDone(server: BenchServer, t0: number, state: { done: boolean; samples: string[] }): Promise<number> {
  const deadline = t0 + 600_000;
  let lastSample = t0;
  for (;;) {
    const n = Number((await server.sql!(`SELECT count(*)::int AS n FROM marketplace.subscriptions WHERE period >= 1`)).rows[0].n);
    const now = Date.now();
    if (n >= SUBSCRIPTIONS) {
      state.done = true;
      return (now - t0) / 1000;
    }
    if (now - lastSample >= 5_000) {
      state.samples.push(`${Math.round((now - t0) / 1000)}s:${n}`);
      lastSample = now;
    }
    if (now > deadline) {
      state.done = true;
      throw new Error(`only ${n} of ${SUBSCRIPTIONS} subscriptions renewed after 10 minutes`);
    }
    await sleep(100);
  }
}

export async function run(env: BenchEnv): Promise<Record<string, string | number>> {
  const started = Date.now();
  const server = await env.startServer({ TEST_CLOCK: "on", RELAY_POLL_MS: "50" });
  if (!server.sql) throw new Error("the renewals bench needs direct SQL (PostgreSQL mode)");
  const admin = await server.token({ sub: "usr_admin", tid: "ten_platform", roles: ["platform_admin"] });
  const provider = await server.token({ sub: "usr_prov", tid: "ten_prov", roles: ["provider"], pid: "prv_bench" });
  const front = await openStorefront(server.baseUrl, server.token, 2_000);
  const plan = await must(
    http(server.baseUrl, "POST", `/api/v1/listings/${front.listingId}/plans`, provider, {
      kind: "subscription",
      amount: 1_000,
      currency: "USD",
      interval: "month",
    }),
    "subscription plan",
  );

  // 1. The purchase rate: half what CONNECTIONS clients reach after a warm-up (the purchases scenario's method).
  const warm = await placeOrders(front, { connections: CONNECTIONS, seconds: WARM_SECONDS, tag: "warm" });
  await awaitFulfilment(front, admin, warm.orderIds);
  let maxRate = NaN;
  let rate = Number(process.env.RENEWAL_PURCHASE_RATE ?? 0);
  if (!(rate > 0)) {
    const load = await placeOrders(front, { connections: CONNECTIONS, seconds: SECONDS, tag: "max" });
    const max = await awaitFulfilment(front, admin, load.orderIds);
    maxRate = max.fulfilled / max.spanSeconds;
    rate = Math.max(1, Math.floor(maxRate / 2));
  }

  // 2. The subscriptions, all with the renewal due within the span of the real purchases.
  const seeded = await seedSubscriptions(server, front, plan.planId, { real: REAL, total: SUBSCRIPTIONS, connections: CONNECTIONS });

  // 3. Baseline: purchases at that rate with nothing due.
  const base = await placeOrders(front, { connections: CONNECTIONS, seconds: SECONDS, ratePerSecond: rate, tag: "base" });
  const baseDone = await awaitFulfilment(front, admin, base.orderIds);

  // 4. The clock to just before the first renewal, while all is quiet; then real time brings them due.
  await must(
    http(server.baseUrl, "POST", "/api/v1/test-clock/advance", admin, { to: new Date(seeded.firstDue.getTime() - LEAD_MS).toISOString() }),
    "advance",
  );
  const offset = await clockOffset(server, admin);
  const t0 = seeded.firstDue.getTime() - offset;
  await sleep(Math.max(0, t0 - Date.now()));

  // 5. The burst, with purchases at the same rate until every subscription is renewed.
  const progress = { done: false, samples: [] as string[] };
  const [seconds, burst] = await Promise.all([renewalsDone(server, t0, progress), placeUntil(front, rate, () => progress.done)]);
  const burstDone = await awaitFulfilment(front, admin, burst.orderIds);

  const outcome = await server.sql(
    `SELECT count(*) FILTER (WHERE s.period = 1 AND s.status = 'active')::int AS renewed,
            count(*) FILTER (WHERE s.status <> 'active')::int AS not_active,
            (SELECT count(*)::int FROM marketplace.subscription_charges c WHERE c.period = 1 AND c.status = 'succeeded') AS charged
       FROM marketplace.subscriptions s`,
  );
  const { renewed, not_active: notActive, charged } = outcome.rows[0];
  if (renewed !== SUBSCRIPTIONS || charged !== SUBSCRIPTIONS)
    throw new Error(`${renewed} renewed and ${charged} charged of ${SUBSCRIPTIONS} (${notActive} not active)`);
  await server.stop();

  const renewalsPerSecond = SUBSCRIPTIONS / seconds;
  const figures: Record<string, string | number> = {
    subscriptions: `${SUBSCRIPTIONS} (${seeded.real} bought over HTTP in ${round(seeded.seconds.real)} s, ${seeded.cloned} cloned in SQL in ${round(seeded.seconds.clone)} s)`,
    "due within ms": seeded.lastDue.getTime() - seeded.firstDue.getTime(),
    "renewals/s": round(renewalsPerSecond),
    "first due → all renewed s": round(seconds, 2),
    "renewed by s": progress.samples.join(" ") || "-",
    "purchase rate /s": Number.isNaN(maxRate) ? `${rate} (RENEWAL_PURCHASE_RATE)` : `${rate} (half of ${round(maxRate)})`,
    "POST /orders p50 ms (baseline)": p(base.postLatencies, 50),
    "POST /orders p99 ms (baseline)": p(base.postLatencies, 99),
    "POST /orders p50 ms (burst)": p(burst.postLatencies, 50),
    "POST /orders p99 ms (burst)": p(burst.postLatencies, 99),
    "extra POST p99 ms": round(p(burst.postLatencies, 99) - p(base.postLatencies, 99)),
    "placed→fulfilled p50 / p99 ms (baseline)": `${p(baseDone.lags, 50)} / ${p(baseDone.lags, 99)}`,
    "placed→fulfilled p50 / p99 ms (burst)": `${p(burstDone.lags, 50)} / ${p(burstDone.lags, 99)}`,
    "orders / errors / failed (baseline + burst)": `${base.placed + burst.placed} / ${base.errors + burst.errors} / ${baseDone.failed + burstDone.failed}`,
    "scenario s": round((Date.now() - started) / 1000),
  };
  const tps = pgbenchTps();
  figures["pgbench TPC-B tps (8 clients, 20 s)"] = round(tps);
  figures["renewals/s ÷ pgbench tps"] = round(renewalsPerSecond / tps, 3);
  if (!Number.isNaN(maxRate)) figures["purchases/s ÷ pgbench tps"] = round(maxRate / tps, 3);
  figures.target = "≥ 500 renewals/s; purchases' p99 ≤ 250 ms during the burst";
  return figures;
}
