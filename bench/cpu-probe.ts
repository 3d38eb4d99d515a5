// CPU per fulfilled purchase, by process (server, postgres, nats, this load generator; "(sys)" is the part spent in the kernel), sampled from
// /proc around a max-load window after a warm-up (WARM_SECONDS, default 3; 0 for none):
// `npx tsx bench/cpu-probe.ts [postgres|embedded] [seconds]`.
// BENCH_SERVER_NODE_ARGS passes flags to the server (e.g. --cpu-prof) as in `npm run bench`.
import { readFileSync, readdirSync } from "node:fs";
import { benchEnv, cleanupAll, type Mode } from "./lib.js";
import { awaitFulfilment, openStorefront, placeOrders } from "./purchase-client.js";

function snapshot(): Map<string, number> {
  const out = new Map<string, number>();
  for (const pid of readdirSync("/proc").filter((d) => /^\d+$/.test(d))) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      const comm = stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"));
      const rest = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      const user = Number(rest[11]);
      const sys = Number(rest[12]);
      const cmd = readFileSync(`/proc/${pid}/cmdline`, "utf8");
      const group =
        Number(pid) === process.pid
          ? "loadgen"
          : comm === "postgres"
            ? "postgres"
            : comm.startsWith("nats")
              ? "nats"
              : cmd.includes("src/main.ts")
                ? "server"
                : comm;
      out.set(group, (out.get(group) ?? 0) + user + sys);
      out.set(`${group} (sys)`, (out.get(`${group} (sys)`) ?? 0) + sys);
    } catch {
      // the process ended between listing and reading
    }
  }
  return out;
}
const mode = (process.argv[2] ?? "postgres") as Mode;
const env = benchEnv(mode);
const server = await env.startServer({ RELAY_POLL_MS: "50" });
const admin = await server.token({ sub: "usr_admin", tid: "ten_platform", roles: ["platform_admin"] });
const front = await openStorefront(server.baseUrl, server.token, 2_000);
const warmSeconds = Number(process.env.WARM_SECONDS ?? 3);
if (warmSeconds > 0) {
  await placeOrders(front, { connections: 32, seconds: warmSeconds, tag: "warm" });
  await new Promise((r) => setTimeout(r, 3000));
}
const before = snapshot();
const t0 = Date.now();
const load = await placeOrders(front, { connections: 32, seconds: Number(process.argv[3] ?? 10), tag: "max" });
const max = await awaitFulfilment(front, admin, load.orderIds);
const wall = (Date.now() - t0) / 1000;
const after = snapshot();
const n = max.fulfilled;
console.log(`fulfilled ${n} in ${wall.toFixed(1)} s, rate ${(max.fulfilled / max.spanSeconds).toFixed(1)}/s`);
const rows = [...after]
  .map(([g, t]) => [g, ((t - (before.get(g) ?? 0)) * 10) / n] as const)
  .filter(([, ms]) => ms > 0.01)
  .sort((a, b) => b[1] - a[1]);
for (const [g, ms] of rows) console.log(`${g.padEnd(20)} ${ms.toFixed(3)} ms/purchase`);
await server.stop();
await cleanupAll();
process.exit(0);
