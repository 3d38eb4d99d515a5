// The processes a chaos run owns: its own NATS server, its own database on the shared PostgreSQL,
// and the service under test. Nothing here touches another database or the shared NATS.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { Socket } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { freePort } from "../bench/lib.js";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const NATS_SERVER = process.env.NATS_SERVER_BIN ?? "/usr/sbin/nats-server";

export async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs: number, everyMs = 200): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return;
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
  throw new Error(`${what}: not within ${timeoutMs} ms`);
}

const exited = (child: ChildProcess) =>
  child.exitCode !== null || child.signalCode !== null
    ? Promise.resolve()
    : new Promise<void>((resolve) => child.once("exit", () => resolve()));

const listening = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = new Socket();
    socket.once("connect", () => (socket.destroy(), resolve(true)));
    socket.once("error", () => resolve(false));
    socket.connect(port, "127.0.0.1");
  });

/** A JetStream server of the run's own, on a free port, with a store that survives its restarts. */
export class OwnNats {
  private child?: ChildProcess;
  private readonly dir = mkdtempSync(path.join(tmpdir(), "ghasi-chaos-nats-"));
  private constructor(readonly port: number) {}

  static async start(): Promise<OwnNats> {
    const nats = new OwnNats(await freePort());
    await nats.up();
    return nats;
  }

  get url(): string {
    return `nats://127.0.0.1:${this.port}`;
  }

  async up(): Promise<void> {
    this.child = spawn(NATS_SERVER, ["-a", "127.0.0.1", "-p", String(this.port), "-js", "-sd", this.dir], { stdio: "ignore" });
    await waitFor("own NATS listening", () => listening(this.port), 15_000, 100);
  }

  /** An outage as a crash leaves it: the server is killed, clients see the socket drop. */
  async down(): Promise<void> {
    const child = this.child;
    if (!child) return;
    child.kill("SIGKILL");
    await exited(child);
    this.child = undefined;
  }

  async remove(): Promise<void> {
    await this.down();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** A database of the run's own on the shared server, and a superuser pool on it for faults and checks. */
export class OwnDatabase {
  readonly pool: pg.Pool;
  private constructor(
    readonly name: string,
    readonly url: string,
    private readonly adminUrl: string,
  ) {
    this.pool = new pg.Pool({ connectionString: url, max: 3 });
    this.pool.on("error", () => undefined);
  }

  static async create(adminUrl: string): Promise<OwnDatabase> {
    const name = `ghasi_chaos_${process.pid}_${Date.now().toString(36)}`;
    const admin = new pg.Client({ connectionString: adminUrl });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    await admin.end();
    const url = new URL(adminUrl);
    url.pathname = `/${name}`;
    return new OwnDatabase(name, url.toString(), adminUrl);
  }

  /** Terminates every session on this database but the caller's own: the service's pool, mid-transaction. */
  async terminateSessions(): Promise<number> {
    const admin = new pg.Client({ connectionString: this.adminUrl });
    await admin.connect();
    try {
      const result = await admin.query(
        "SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) AS n FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()",
        [this.name],
      );
      return Number(result.rows[0].n);
    } finally {
      await admin.end();
    }
  }

  async drop(): Promise<void> {
    await this.pool.end().catch(() => undefined);
    const admin = new pg.Client({ connectionString: this.adminUrl });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${this.name} WITH (FORCE)`).catch(() => undefined);
    await admin.end();
  }
}

/** The start script's node flags, so the service runs as `npm start` runs it. */
function startArgs(): string[] {
  const [command, ...args] = (JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8")).scripts.start as string).split(/\s+/);
  if (command !== "node") throw new Error(`chaos expects the start script to run node, not ${command}`);
  return args;
}

/** The service under test, as a child process that can be killed with -9 and started again. */
export class Service {
  private child?: ChildProcess;
  /** What the service wrote to stderr: an unhandled error would show here before it dies. */
  readonly crashes: string[] = [];
  private expectedExit = false;
  private constructor(
    readonly port: number,
    private readonly env: Record<string, string>,
  ) {}

  static async start(env: Record<string, string>): Promise<Service> {
    const service = new Service(await freePort(), env);
    await service.up();
    return service;
  }

  get baseUrl(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async up(): Promise<void> {
    this.expectedExit = false;
    const child = spawn(process.execPath, startArgs(), {
      cwd: ROOT,
      env: { ...(process.env as Record<string, string>), ...this.env, PORT: String(this.port), HOST: "127.0.0.1" },
      stdio: ["ignore", "ignore", "pipe"],
    });
    let stderr = "";
    child.stderr!.on("data", (chunk: Buffer) => {
      stderr = (stderr + chunk.toString("utf8")).slice(-4_000);
    });
    child.once("exit", (code, signal) => {
      if (!this.expectedExit)
        this.crashes.push(`exited by itself (code ${code}, signal ${signal}): ${stderr.trim().split("\n").slice(-3).join(" | ")}`);
    });
    this.child = child;
    await waitFor(
      "service ready",
      async () => {
        if (child.exitCode !== null) throw new Error(`service exited with ${child.exitCode}: ${stderr}`);
        return (await fetch(`${this.baseUrl}/ready`)).ok;
      },
      60_000,
    );
  }

  get alive(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  async kill9(): Promise<void> {
    const child = this.child;
    if (!child) return;
    this.expectedExit = true;
    child.kill("SIGKILL");
    await exited(child);
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (!child || !this.alive) return;
    this.expectedExit = true;
    child.kill("SIGTERM");
    await Promise.race([exited(child), new Promise((resolve) => setTimeout(resolve, 15_000))]);
    if (this.alive) child.kill("SIGKILL");
  }
}
