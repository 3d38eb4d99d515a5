// Relay throughput (commit → consumer effect) and commit-to-consume lag, issue 2's figures.
import { Type } from "@sinclair/typebox";
import pino from "pino";
import { createApp, type App } from "../../src/app.js";
import { systemClock } from "../../src/platform/clock.js";
import { loadConfig } from "../../src/platform/config.js";
import type { Envelope } from "../../src/platform/events/envelope.js";
import { defineEvent, envelope } from "../../src/platform/events/registry.js";
import { newId } from "../../src/platform/ids.js";
import type { ContextModule } from "../../src/platform/module.js";
import { BENCH_SECRET, percentile, round, type BenchEnv } from "../lib.js";

export const name = "relay";

const Tick = defineEvent({
  type: "bench.ticked.v1",
  source: "bench",
  aggregateType: "Tick",
  retentionClass: "operational",
  payload: Type.Object({ key: Type.String(), seq: Type.Integer() }, { additionalProperties: false }),
  aggregateId: (p) => p.key,
  partitionKey: (p) => p.key,
});

function benchModule(lags: number[], onApplied: () => void): ContextModule {
  return {
    name: "bench",
    events: [Tick],
    errors: {},
    install({ kernel }) {
      kernel.hub.register({
        name: "bench.counter",
        types: [Tick.type],
        // The effect is the inbox row written in the same transaction; lag is measured at the handler.
        async handle(_tx, event: Envelope) {
          lags.push(Date.now() - Date.parse(event.occurredAt));
          onApplied();
        },
      });
    },
  };
}

async function boot(env: BenchEnv, lags: number[], onApplied: () => void): Promise<App> {
  const databaseUrl = await env.freshDatabaseUrl();
  const config = loadConfig({
    // Relay tuning from the environment (RELAY_BATCH_SIZE, RELAY_CONCURRENCY…) applies here too.
    ...Object.fromEntries(Object.entries(process.env).filter(([key]) => key.startsWith("RELAY_"))),
    AUTH_JWT_SECRET: BENCH_SECRET,
    LOG_LEVEL: "warn",
    ...(databaseUrl ? { DATABASE_URL: databaseUrl, NATS_URL: env.natsUrl!, NATS_PREFIX: `rb${process.pid}${Date.now()}` } : {}),
  });
  return createApp(config, { clock: systemClock, dataDir: null, modules: [benchModule(lags, onApplied)], logger: pino({ level: "warn" }) });
}

function ticks(count: number, keys: number): Envelope[] {
  const now = new Date();
  return Array.from({ length: count }, (_, i) =>
    envelope(Tick, { key: `k${i % keys}`, seq: i }, { eventId: newId("evt"), occurredAt: now, tenantId: null }, { correlationId: "bench" }),
  );
}

async function waitFor(predicate: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error("timed out waiting for consumers");
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

export async function run(env: BenchEnv): Promise<Record<string, string | number>> {
  const total = env.mode === "postgres" ? 50_000 : 20_000;
  let applied = 0;
  const lags: number[] = [];
  const app = await boot(env, lags, () => applied++);
  try {
    // 1. Throughput: a backlog committed with the relay stopped, then drained.
    for (let i = 0; i < total; i += 1_000) {
      const batch = ticks(1_000, 64);
      await app.kernel.db.tx((tx) => app.kernel.outbox.append(tx, batch));
    }
    const started = Date.now();
    await app.start();
    let publishedSeconds = 0;
    const watchRelay = (async () => {
      for (;;) {
        const pending = await app.kernel.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM platform.outbox_pending`);
        if (Number(pending.rows[0]!.n) === 0) return void (publishedSeconds = (Date.now() - started) / 1000);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    })();
    await waitFor(() => applied >= total, 300_000);
    await watchRelay;
    const drainSeconds = (Date.now() - started) / 1000;

    // 2. Lag at a steady 2,000 events/s: 100 commits of 20 events every 10 ms... as small commits.
    lags.length = 0;
    applied = 0;
    const rate = 2_000;
    const seconds = 5;
    const perTick = 20;
    const begin = Date.now();
    let sent = 0;
    while (sent < rate * seconds) {
      const due = begin + (sent / rate) * 1000;
      const wait = due - Date.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      const batch = ticks(perTick, 64);
      await app.kernel.db.tx((tx) => app.kernel.outbox.append(tx, batch));
      sent += perTick;
    }
    await waitFor(() => applied >= sent, 60_000);
    const sorted = [...lags].sort((a, b) => a - b);
    return {
      events: total,
      "drain events/s (commit→effect)": Math.round(total / drainSeconds),
      "relay events/s (commit→published)": Math.round(total / publishedSeconds),
      "steady rate events/s": rate,
      "lag p50 ms": round(percentile(sorted, 50)),
      "lag p99 ms": round(percentile(sorted, 99)),
      bus: env.mode === "postgres" ? "NATS JetStream" : "in-process",
    };
  } finally {
    await app.stop();
  }
}
