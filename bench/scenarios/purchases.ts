// Issue 4's figures: one-time purchases with tok_visa through the HTTP API from this (separate) process.
import { execFileSync } from "node:child_process";
import { round, type BenchEnv } from "../lib.js";
import { awaitFulfilment, openStorefront, p, placeOrders } from "../purchase-client.js";

export const name = "purchases";

/**
 * Clients placing orders back to back at max load (`PURCHASE_CONNECTIONS`). The server batches
 * what arrives together (consumer batches, relay passes, group commit), so throughput grows with
 * the orders in flight: in the CPU probe, 16 made 448–468/s, 32 made 484–506/s, 64 made 521–553/s.
 */
const CONNECTIONS = Number(process.env.PURCHASE_CONNECTIONS ?? 64);
if (!Number.isInteger(CONNECTIONS) || CONNECTIONS < 1)
  throw new Error(`PURCHASE_CONNECTIONS must be a positive integer, got "${process.env.PURCHASE_CONNECTIONS}"`);
const SECONDS = 10;
/**
 * Load before the measured window, drained before it starts: a server just started compiles its
 * hot paths and fills its caches (and PostgreSQL its plans) in the first seconds, which a 10 s
 * window would count as throughput. 0 measures from a cold start.
 */
const WARM_SECONDS = Number(process.env.WARM_SECONDS ?? 3);

/** pgbench TPC-B, 8 clients, 20 s, on its own fresh database: the machine's yardstick. */
export function pgbenchTps(): number {
  const admin = process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";
  const url = new URL(admin);
  const db = `ghasi_pgbench_${process.pid}`;
  const run = (sql: string) => execFileSync("psql", [admin, "-qAtc", sql], { stdio: ["ignore", "pipe", "ignore"] });
  run(`DROP DATABASE IF EXISTS ${db}`);
  run(`CREATE DATABASE ${db}`);
  try {
    const conn = ["-h", url.hostname, "-p", url.port || "5432", "-U", url.username || "postgres"];
    execFileSync("pgbench", [...conn, "-i", "-q", "-s", "10", db], { stdio: "ignore" });
    const out = execFileSync("pgbench", [...conn, "-c", "8", "-j", "2", "-T", "20", db], { encoding: "utf8" });
    const match = /tps = ([\d.]+)/.exec(out);
    return match ? Number(match[1]) : NaN;
  } finally {
    run(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`);
  }
}

export async function run(env: BenchEnv): Promise<Record<string, string | number>> {
  const server = await env.startServer({ RELAY_POLL_MS: "50" });
  const admin = await server.token({ sub: "usr_admin", tid: "ten_platform", roles: ["platform_admin"] });
  const front = await openStorefront(server.baseUrl, server.token, 2_000);

  if (WARM_SECONDS > 0) {
    const warm = await placeOrders(front, { connections: CONNECTIONS, seconds: WARM_SECONDS, tag: "warm" });
    await awaitFulfilment(front, admin, warm.orderIds);
  }

  // 1. Throughput: as fast as CONNECTIONS clients can place orders, then until all are fulfilled.
  const load = await placeOrders(front, { connections: CONNECTIONS, seconds: SECONDS, tag: "max" });
  const max = await awaitFulfilment(front, admin, load.orderIds);
  const rate = max.fulfilled / max.spanSeconds;

  // 2. Latency at half that rate.
  const half = Math.max(1, Math.floor(rate / 2));
  const steady = await placeOrders(front, { connections: CONNECTIONS, seconds: SECONDS, ratePerSecond: half, tag: "half" });
  const calm = await awaitFulfilment(front, admin, steady.orderIds);
  await server.stop();

  const figures: Record<string, string | number> = {
    "fulfilled purchases/s": round(rate),
    "POST /orders p50 ms (max load)": p(load.postLatencies, 50),
    "POST /orders p99 ms (max load)": p(load.postLatencies, 99),
    "placed→fulfilled p50 ms (max load)": p(max.lags, 50),
    "placed→fulfilled p99 ms (max load)": p(max.lags, 99),
    "half rate /s": half,
    "POST /orders p50 ms (half rate)": p(steady.postLatencies, 50),
    "POST /orders p99 ms (half rate)": p(steady.postLatencies, 99),
    "placed→fulfilled p50 ms (half rate)": p(calm.lags, 50),
    "placed→fulfilled p99 ms (half rate)": p(calm.lags, 99),
    "orders / errors / failed": `${load.placed + steady.placed} / ${load.errors + steady.errors} / ${max.failed + calm.failed}`,
  };
  if (env.mode === "postgres") {
    const tps = pgbenchTps();
    figures["pgbench TPC-B tps (8 clients, 20 s)"] = round(tps);
    figures["purchases/s ÷ pgbench tps"] = round(rate / tps, 3);
  }
  return figures;
}
