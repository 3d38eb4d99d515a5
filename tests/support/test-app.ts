import { connect } from "@nats-io/transport-node";
import { jetstreamManager } from "@nats-io/jetstream";
import pg from "pg";
import pino from "pino";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { createApp, type App, type AppOptions } from "../../src/app.js";
import { ManualClock } from "../../src/platform/clock.js";
import { loadConfig, type Config } from "../../src/platform/config.js";
import { mintToken } from "../../src/platform/http/auth.js";
import type { ContextModule } from "../../src/platform/module.js";

export const TEST_SECRET = "test-secret-which-is-long-enough-for-hs256";

/** Which engine this run exercises: `npm test` is embedded; CI's second pass sets DATABASE_URL and NATS_URL. */
export const onPostgres = Boolean(process.env.DATABASE_URL);
export const onNats = Boolean(process.env.NATS_URL);
// Webhooks are off by default in a deployment (their fan-out costs throughput); the suite runs with
// them on, as a deployment that uses them would. A test that needs them off sets "false" itself.
process.env.WEBHOOKS_ENABLED ??= "true";

let counter = 0;
const unique = () => `${process.pid}_${Date.now().toString(36)}_${counter++}`;

/** Each test app's streams (and so its durable consumers) go with it: NATS outlives the suite. */
async function dropStreams(url: string, names: string[]): Promise<void> {
  const nc = await connect({ servers: url });
  try {
    const jsm = await jetstreamManager(nc);
    for (const name of names) await jsm.streams.delete(name).catch(() => undefined);
  } finally {
    await nc.close();
  }
}

/** A fresh database per app, so test files run in parallel without seeing each other's rows. */
async function freshDatabase(adminUrl: string): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `ghasi_t_${unique()}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const c = new pg.Client({ connectionString: adminUrl });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => undefined);
      await c.end();
    },
  };
}

export interface TestApp {
  app: App;
  clock: ManualClock;
  config: Config;
  token(claims: { sub: string; tid: string; roles: string[]; pid?: string }): Promise<string>;
  /** Publishes everything pending and waits until every consumer has applied, retried or dead-lettered it. */
  settle(timeoutMs?: number): Promise<void>;
  /** Stops this process's app as a crash would leave the database, and starts a fresh one on it. */
  restart(options?: { workers?: boolean }): Promise<void>;
  stop(): Promise<void>;
}

export interface TestAppOptions {
  modules?: ContextModule[];
  /** Start relay, retry and bus workers (default true). */
  workers?: boolean;
  env?: Record<string, string>;
  /** Keep embedded data on disk (a temp directory), so `restart()` finds it. */
  persistent?: boolean;
  wiring?: AppOptions["wiring"];
}

export async function startTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const database = process.env.DATABASE_URL ? await freshDatabase(process.env.DATABASE_URL) : null;
  const config = loadConfig({
    ...process.env,
    AUTH_JWT_SECRET: TEST_SECRET,
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? "silent",
    ...(database ? { DATABASE_URL: database.url, DATABASE_POOL_SIZE: "24" } : {}),
    ...(process.env.NATS_URL ? { NATS_PREFIX: `t${unique()}` } : {}),
    RELAY_POLL_MS: "50",
    RETRY_POLL_MS: "50",
    SAGA_POLL_MS: "50",
    // Tests drive hundreds of requests from one token: the limiter runs, with a ceiling none reaches
    // (the rate-limit test sets its own).
    RATE_LIMIT_MAX: "1000000000",
    // Every answer a test sees is checked against the OpenAPI document (a mismatch is a 500).
    HTTP_VALIDATE_RESPONSES: "on",
    ...options.env,
  });
  const clock = new ManualClock("2026-03-01T09:00:00.000Z");
  const dataDir = options.persistent && !database ? mkdtempSync(path.join(tmpdir(), "ghasi-test-")) : null;
  const boot = async (workers: boolean) => {
    const app = await createApp(config, {
      clock,
      dataDir,
      modules: options.modules,
      wiring: options.wiring,
      logger: pino({ level: config.logLevel }),
    });
    if (workers) await app.start();
    return app;
  };
  const test: TestApp = {
    app: await boot(options.workers !== false),
    clock,
    config,
    token: (claims) => mintToken(TEST_SECRET, claims),
    settle: (timeoutMs) => settle(test.app, timeoutMs),
    async restart({ workers = true } = {}) {
      await test.app.stop();
      test.app = await boot(workers);
    },
    async stop() {
      const bus = test.app.kernel.bus;
      await test.app.stop();
      if (bus)
        await dropStreams(
          process.env.NATS_URL!,
          (["operational", "financial", "audit"] as const).map((retention) => bus.streamName(retention)),
        );
      await database?.drop();
      if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return test;
}

/**
 * Counts outbox rows not yet published plus (consumer, event) pairs published but neither applied,
 * waiting to retry, nor dead (for the consumer, or for the relay: too large to publish) — in ONE statement, so one snapshot: a consumer committing its effect
 * and its follow-up events between two separate reads could otherwise make the flow look settled.
 */
async function unsettled(app: App): Promise<number> {
  const { db, hub } = app.kernel;
  const pairs = hub.consumers().flatMap((consumer) => consumer.types.map((type) => [consumer.name, type] as const));
  // Planned on every call: a plan kept from when the tables were small turns this count into
  // seconds once a test has written tens of thousands of events.
  const row = await db.tx(
    (tx) =>
      tx.query<{ n: number }>(
        `SELECT (SELECT count(*) FROM platform.outbox_pending)
          + (SELECT count(*) FROM platform.outbox o JOIN unnest($1::text[], $2::text[]) AS c(consumer, type) ON c.type = o.type
              WHERE NOT EXISTS (SELECT 1 FROM platform.outbox_pending p WHERE p.position = o.position)
                AND NOT EXISTS (SELECT 1 FROM platform.inbox i WHERE i.consumer = c.consumer AND i.event_id = o.event_id)
                AND NOT EXISTS (SELECT 1 FROM platform.consumer_retries r WHERE r.consumer = c.consumer AND r.event_id = o.event_id)
                AND NOT EXISTS (SELECT 1 FROM platform.dead_letters d WHERE d.consumer IN (c.consumer, 'platform.relay') AND d.event_id = o.event_id)) AS n`,
        [pairs.map((p) => p[0]), pairs.map((p) => p[1])],
      ),
    { customPlans: true },
  );
  return Number(row.rows[0]!.n);
}

export async function settle(app: App, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    await app.kernel.relay.drain();
    if ((await unsettled(app)) === 0) return;
    if (Date.now() > deadline) {
      if (process.env.DEBUG_SETTLE) await explainUnsettled(app);
      throw new Error(`events still unsettled after ${timeoutMs} ms`);
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** `server.inject` with a bearer token and JSON. */
export async function call(
  app: App,
  method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE",
  url: string,
  options: { token?: string; body?: unknown; headers?: Record<string, string>; rawBody?: string } = {},
) {
  const response = await app.server.inject({
    method,
    url,
    headers: {
      ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
      ...(options.body !== undefined || options.rawBody !== undefined ? { "content-type": "application/json" } : {}),
      ...options.headers,
    },
    ...(options.rawBody !== undefined
      ? { payload: options.rawBody }
      : options.body !== undefined
        ? { payload: JSON.stringify(options.body) }
        : {}),
  });
  const isJson = (response.headers["content-type"] ?? "").toString().includes("json");
  return { status: response.statusCode, body: isJson && response.body ? response.json() : response.body, headers: response.headers };
}

async function explainUnsettled(app: App): Promise<void> {
  const { db, hub } = app.kernel;
  for (const consumer of hub.consumers()) {
    const rows = await db.query(
      `SELECT o.event_id, o.type FROM platform.outbox o WHERE o.type = ANY($1::text[]) AND NOT EXISTS (SELECT 1 FROM platform.outbox_pending p WHERE p.position = o.position)
          AND NOT EXISTS (SELECT 1 FROM platform.inbox i WHERE i.consumer = $2 AND i.event_id = o.event_id)`,
      [consumer.types, consumer.name],
    );
    if (rows.rows.length > 0) console.log("unsettled", consumer.name, rows.rows);
  }
}
