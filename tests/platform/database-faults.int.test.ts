import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { onPostgres } from "../support/test-app.js";
import { buy, liveOffer, openShop, order, type Offer, type Shop } from "../orders/purchase-support.js";

/**
 * PostgreSQL sessions end under a running process (failover, an operator's pg_terminate_backend, an
 * idle-session timeout). Each fault here is real: the test database's backends are terminated from
 * a separate session on the admin database, which touches no other database and never the server.
 */
const TERMINAL = new Set(["fulfilled", "failed", "refunded"]);

let shop: Shop;
let admin: pg.Client;
let database: string;
beforeAll(async () => {
  if (!onPostgres) return;
  shop = await openShop();
  database = new URL(shop.t.config.databaseUrl!).pathname.slice(1);
  admin = new pg.Client({ connectionString: process.env.DATABASE_URL });
  admin.on("error", () => undefined);
  await admin.connect();
});
afterAll(async () => {
  if (!onPostgres) return;
  await admin?.query(`ALTER DATABASE ${database} ALLOW_CONNECTIONS true`).catch(() => undefined);
  await admin?.end();
  await shop?.t.stop();
});

/** Ends every session of this test's database (never another database's); how many it ended. */
async function terminateAll(): Promise<number> {
  const { rows } = await admin.query<{ ended: boolean }>(
    `SELECT pg_terminate_backend(pid) AS ended FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()`,
    [database],
  );
  return rows.filter((row) => row.ended).length;
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** A 2xx, or a 5xx that is still problem+json: a lost session may fail a request, never garble it. */
function expectAnswered(response: { status: number; headers: Record<string, unknown>; body: unknown }) {
  const ok = response.status >= 200 && response.status < 300;
  const unavailable = response.status >= 500 && String(response.headers["content-type"]).startsWith("application/problem+json");
  expect(ok || unavailable, `${response.status} ${JSON.stringify(response.body)}`).toBe(true);
}

/** Settles, then moves the clock past the retry ladder's early rungs until every order is terminal. */
async function terminalStatuses(orderIds: readonly string[]): Promise<string[]> {
  for (let round = 0; ; round++) {
    await shop.t.settle(30_000);
    const statuses = await Promise.all(orderIds.map(async (orderId) => (await order(shop, orderId)).status as string));
    if (statuses.every((status) => TERMINAL.has(status)) || round === 8) return statuses;
    shop.t.clock.advance(60_000);
  }
}

describe.runIf(onPostgres)("PostgreSQL sessions terminated under load", () => {
  let offer: Offer;
  beforeAll(async () => {
    offer = await liveOffer(shop);
  });

  it("fail the affected requests as problem+json, never the process; the work goes on afterwards and nothing is lost", async () => {
    const placed: string[] = [];
    const responses: Array<{ status: number; headers: Record<string, unknown>; body: any }> = [];
    let load = true;
    const buyer = async () => {
      for (let i = 0; load && i < 200; i++) {
        const response = await buy(shop, offer);
        responses.push(response);
        if (response.status === 201) placed.push(response.body.orderId);
      }
    };
    const buyers = Array.from({ length: 8 }, buyer);
    let ended = 0;
    for (let kill = 0; kill < 5; kill++) {
      // Each round waits for work to be in flight, so sessions die mid-transaction, not idle.
      const before = responses.length;
      await until("purchases in flight", async () => (responses.length >= before + 3 ? true : undefined));
      ended += await terminateAll();
    }
    load = false;
    await Promise.all(buyers);

    expect(ended).toBeGreaterThan(5);
    for (const response of responses) expectAnswered(response);
    const failed = responses.filter((response) => response.status >= 500);
    expect(failed.length, "no request met a terminated session").toBeGreaterThan(0);
    // Those failed for the database, and say so: 503, retry with the same key (nothing here is a bug).
    expect(new Set(failed.map((response) => `${response.status} ${response.body.code}`))).toEqual(new Set(["503 SERVICE.UNAVAILABLE"]));
    expect(placed.length).toBeGreaterThan(0);

    await until("ready", async () => ((await shop.http("GET", "/ready")).status === 200 ? true : undefined));
    // The LISTEN session that wakes relays in other processes came back on its own.
    await until("a LISTEN session", async () => {
      const { rows } = await admin.query(`SELECT 1 FROM pg_stat_activity WHERE datname = $1 AND query LIKE 'LISTEN%'`, [database]);
      return rows.length > 0 ? true : undefined;
    });

    const after = await buy(shop, offer);
    expect(after.status, JSON.stringify(after.body)).toBe(201);
    const statuses = await terminalStatuses([...placed, after.body.orderId]);
    expect(statuses.filter((status) => !TERMINAL.has(status))).toEqual([]);
    expect(statuses.at(-1)).toBe("fulfilled");
  }, 120_000);

  it("/ready answers 503 while the database refuses connections and 200 once it is back", async () => {
    await admin.query(`ALTER DATABASE ${database} ALLOW_CONNECTIONS false`);
    try {
      await terminateAll();
      const down = await shop.http("GET", "/ready");
      expect(down.status).toBe(503);
      expect(down.body).toMatchObject({ database: false });
      const refused = await buy(shop, offer);
      expectAnswered(refused);
      expect(refused.status).toBe(503);
      expect(refused.body).toMatchObject({ code: "SERVICE.UNAVAILABLE" });
      // A read outside any transaction (browse) says the same, not 500.
      const browse = await shop.http("GET", "/api/v1/marketplace/listings");
      expect(browse.status).toBe(503);
      expect(browse.body).toMatchObject({ code: "SERVICE.UNAVAILABLE" });
    } finally {
      await admin.query(`ALTER DATABASE ${database} ALLOW_CONNECTIONS true`);
    }
    await until("ready", async () => ((await shop.http("GET", "/ready")).status === 200 ? true : undefined));
    const placed = await buy(shop, offer);
    expect(placed.status, JSON.stringify(placed.body)).toBe(201);
    expect(await terminalStatuses([placed.body.orderId])).toEqual(["fulfilled"]);
  }, 60_000);
});
