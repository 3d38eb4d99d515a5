import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { connect } from "@nats-io/transport-node";
import { jetstreamManager } from "@nats-io/jetstream";
import pg from "pg";
import { mintToken } from "../src/platform/http/auth.js";

export const BENCH_SECRET = "bench-secret-which-is-long-enough-for-hs256";
const ROOT = fileURLToPath(new URL("..", import.meta.url));

export type Mode = "embedded" | "postgres";

export interface BenchServer {
  baseUrl: string;
  token(claims: { sub: string; tid: string; roles: string[]; pid?: string }): Promise<string>;
  /** Direct SQL for seeding, as the owner user (PostgreSQL mode only: PGlite lives inside the server process). */
  sql?: (text: string, params?: unknown[]) => Promise<pg.QueryResult>;
  stop(): Promise<void>;
}

export interface BenchEnv {
  mode: Mode;
  /** A fresh database (PostgreSQL) or data directory (embedded) per call. */
  freshDatabaseUrl(): Promise<string | undefined>;
  /** Starts `src/main.ts` in a child process on its own port and waits for /ready. */
  startServer(extraEnv?: Record<string, string>): Promise<BenchServer>;
  natsUrl?: string;
}

let seq = 0;
/** Extra node flags for the server under test, e.g. BENCH_SERVER_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof". */
const serverNodeArgs = () => (process.env.BENCH_SERVER_NODE_ARGS ?? "").split(" ").filter(Boolean);

/** The server runs as `npm start` runs it: node with the start script's flags (`node <args…>`). */
function startArgs(): string[] {
  const [command, ...args] = (JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8")).scripts.start as string).split(/\s+/);
  if (command !== "node") throw new Error(`the bench expects the start script to run node, not ${command}`);
  return args;
}

const adminUrl = () => process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";

async function createDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `ghasi_bench_${process.pid}_${seq++}`;
  const admin = new pg.Client({ connectionString: adminUrl() });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(adminUrl());
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const c = new pg.Client({ connectionString: adminUrl() });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => undefined);
      await c.end();
    },
  };
}

const cleanups: Array<() => Promise<void>> = [];
export async function cleanupAll(): Promise<void> {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
  await dropBenchStreams().catch(() => undefined);
}

/** JetStream keeps what a bench published; streams named after this bench process go with it. */
async function dropBenchStreams(): Promise<void> {
  const url = process.env.NATS_URL ?? "nats://127.0.0.1:4222";
  const nc = await connect({ servers: url });
  try {
    const jsm = await jetstreamManager(nc);
    const mine = new RegExp(`^(bench|rb|deb)${process.pid}`);
    const names: string[] = [];
    for await (const stream of jsm.streams.list()) if (mine.test(stream.config.name)) names.push(stream.config.name);
    for (const name of names) await jsm.streams.delete(name);
  } finally {
    await nc.close();
  }
}

async function waitReady(baseUrl: string, child: ChildProcess, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}`);
    try {
      const response = await fetch(`${baseUrl}/ready`);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error("server did not become ready");
}

/** A port nobody listens on now (two benches at once must not meet each other's servers). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const address = probe.address();
      probe.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}

export function benchEnv(mode: Mode): BenchEnv {
  const natsUrl = mode === "postgres" ? (process.env.NATS_URL ?? "nats://127.0.0.1:4222") : undefined;
  return {
    mode,
    natsUrl,
    async freshDatabaseUrl() {
      if (mode !== "postgres") return undefined;
      const db = await createDatabase();
      cleanups.push(db.drop);
      return db.url;
    },
    async startServer(extraEnv = {}) {
      const port = await freePort();
      const env: Record<string, string> = {
        ...(process.env as Record<string, string>),
        PORT: String(port),
        HOST: "127.0.0.1",
        AUTH_JWT_SECRET: BENCH_SECRET,
        LOG_LEVEL: "warn",
        // Hundreds of requests a second from one token: the limiter stays on (its cost is measured)
        // with a ceiling no run reaches.
        RATE_LIMIT_MAX: "1000000000",
        ...extraEnv,
      };
      delete env.DATABASE_URL;
      delete env.NATS_URL;
      let sqlPool: pg.Pool | undefined;
      if (mode === "postgres") {
        const db = await createDatabase();
        cleanups.push(db.drop);
        env.DATABASE_URL = db.url;
        env.NATS_URL = natsUrl!;
        env.NATS_PREFIX = `bench${process.pid}${seq}`;
        sqlPool = new pg.Pool({ connectionString: db.url, max: 4 });
      } else {
        const dir = mkdtempSync(path.join(tmpdir(), "ghasi-bench-"));
        env.DATA_DIR = dir;
        cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));
      }
      const child = spawn(process.execPath, [...serverNodeArgs(), ...startArgs()], {
        cwd: ROOT,
        env,
        stdio: ["ignore", "inherit", "inherit"],
      });
      const baseUrl = `http://127.0.0.1:${port}`;
      const stop = async () => {
        await sqlPool?.end();
        if (child.exitCode === null) {
          child.kill("SIGTERM");
          await new Promise((resolve) => child.once("exit", resolve));
        }
      };
      cleanups.push(stop);
      await waitReady(baseUrl, child);
      return {
        baseUrl,
        token: (claims) => mintToken(BENCH_SECRET, claims),
        ...(sqlPool ? { sql: (text: string, params?: unknown[]) => sqlPool!.query(text, params) } : {}),
        stop,
      };
    },
  };
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

export const round = (value: number, digits = 1) => Number(value.toFixed(digits));
