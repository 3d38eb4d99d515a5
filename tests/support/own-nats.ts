import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, Socket } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";

const NATS_SERVER = process.env.NATS_SERVER_BIN ?? "/usr/sbin/nats-server";

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const address = probe.address();
      probe.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}

const listening = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = new Socket();
    socket.once("connect", () => (socket.destroy(), resolve(true)));
    socket.once("error", () => resolve(false));
    socket.connect(port, "127.0.0.1");
  });

/** Polls `check` every `everyMs` until it holds; bounded by `timeoutMs`. */
export async function waitUntil(what: string, check: () => Promise<boolean> | boolean, timeoutMs: number, everyMs = 100): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await Promise.resolve(check()).catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

/**
 * A JetStream server of the test's own, on a free port of 127.0.0.1, with a store directory that
 * survives its restarts. Fault tests stop and start this one; the shared server on 4222 is never touched.
 */
export class OwnNats {
  private child?: ChildProcess;
  private readonly dir = mkdtempSync(path.join(tmpdir(), "ghasi-own-nats-"));

  private constructor(
    readonly port: number,
    private readonly extraConfig: string,
  ) {}

  /** `config`: nats-server configuration lines (e.g. `max_payload: 65536`). */
  static async start(config = ""): Promise<OwnNats> {
    const nats = await OwnNats.reserve(config);
    await nats.up();
    return nats;
  }

  /** A server with its port chosen but not started yet (`up()` starts it). */
  static async reserve(config = ""): Promise<OwnNats> {
    return new OwnNats(await freePort(), config);
  }

  get url(): string {
    return `nats://127.0.0.1:${this.port}`;
  }

  get running(): boolean {
    return this.child !== undefined;
  }

  async up(): Promise<void> {
    if (this.child) return;
    const args = ["-a", "127.0.0.1", "-p", String(this.port), "-js", "-sd", path.join(this.dir, "store")];
    if (this.extraConfig) {
      const file = path.join(this.dir, "server.conf");
      writeFileSync(file, this.extraConfig + "\n");
      args.push("-c", file);
    }
    const child = spawn(NATS_SERVER, args, { stdio: "ignore" });
    this.child = child;
    child.once("exit", () => {
      if (this.child === child) this.child = undefined;
    });
    await waitUntil("own NATS listening", () => listening(this.port), 15_000);
  }

  /** Stops it as a crash would (SIGKILL): clients see the socket drop, nothing is flushed. */
  async down(): Promise<void> {
    const child = this.child;
    if (!child) return;
    this.child = undefined;
    const exited = new Promise<void>((resolve) =>
      child.exitCode !== null || child.signalCode !== null ? resolve() : child.once("exit", () => resolve()),
    );
    child.kill("SIGKILL");
    await exited;
  }

  async remove(): Promise<void> {
    await this.down();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
