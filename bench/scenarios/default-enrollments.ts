// Default enterprise enrollments (issue 7): realization throughput on PostgreSQL + NATS — learners
// joined per second, 5 intentions each, from tenant.member.joined.v1 committed to every realization
// (enrollment + realization row + events) committed.
import pino from "pino";
import { createApp, type App } from "../../src/app.js";
import { TenantMemberJoined } from "../../src/contracts/tenancy.js";
import { systemClock } from "../../src/platform/clock.js";
import { loadConfig } from "../../src/platform/config.js";
import { mintToken } from "../../src/platform/http/auth.js";
import { envelope } from "../../src/platform/events/registry.js";
import { newId } from "../../src/platform/ids.js";
import { BENCH_SECRET, round, type BenchEnv } from "../lib.js";

export const name = "default-enrollments";
export const modes = ["postgres"] as const;

const TENANT = "ten_bench_enterprise";
const INTENTIONS = 5;

async function boot(env: BenchEnv): Promise<App> {
  const databaseUrl = await env.freshDatabaseUrl();
  const config = loadConfig({
    AUTH_JWT_SECRET: BENCH_SECRET,
    LOG_LEVEL: "warn",
    ...(databaseUrl ? { DATABASE_URL: databaseUrl, NATS_URL: env.natsUrl!, NATS_PREFIX: `deb${process.pid}${Date.now()}` } : {}),
  });
  return createApp(config, { clock: systemClock, dataDir: null, logger: pino({ level: "warn" }) });
}

/** An enterprise with 5 courses (one advertised, enrollable run each), a site license on each, and 5 intentions. */
async function seed(app: App): Promise<void> {
  const now = new Date();
  await app.kernel.db.tx(async (tx) => {
    await tx.query(`INSERT INTO tenancy.tenants (tenant_id, name, kind, created_at) VALUES ($1, 'Bench Enterprise', 'enterprise', $2)`, [
      TENANT,
      now,
    ]);
    for (let i = 0; i < INTENTIONS; i++) {
      const course = `crs_bench_${i}`;
      await tx.query(
        `INSERT INTO catalog.courses (course_id, provider_id, title, audit_available, created_at) VALUES ($1, 'prv_bench', $1, true, $2)`,
        [course, now],
      );
      await tx.query(
        `INSERT INTO catalog.course_versions (course_version_id, course_id, label, published_at, play_package_built_at, created_at) VALUES ($1, $2, 'v1', $3, $3, $3)`,
        [`cv_bench_${i}`, course, now],
      );
      await tx.query(
        `INSERT INTO catalog.course_runs (run_id, run_key, course_id, course_version_id, starts_at, enrollable, advertised, created_at) VALUES ($1, $2, $3, $4, $5, true, true, $5)`,
        [`run_bench_${i}`, `${course}-2026`, course, `cv_bench_${i}`, now],
      );
      await tx.query(
        `INSERT INTO marketplace.orders (order_id, tenant_id, buyer_user_id, status, currency, subtotal, discount, tax, tax_inclusive, total, payment_method, placed_at, updated_at)
         VALUES ($1, $2, 'usr_bench_admin', 'fulfilled', 'USD', 0, 0, 0, false, 0, 'card', $3, $3)`,
        [`ord_bench_${i}`, TENANT, now],
      );
      await tx.query(
        `INSERT INTO marketplace.licenses (license_id, order_id, line, tenant_id, buyer_user_id, listing_id, course_id, course_version_id, kind, state, valid_from, perpetual_offline, created_at, updated_at)
         VALUES ($1, $2, 1, $3, 'usr_bench_admin', 'lst_bench', $4, $5, 'site_license', 'active', $6, false, $6, $6)`,
        [`lcn_bench_${i}`, `ord_bench_${i}`, TENANT, course, `cv_bench_${i}`, now],
      );
    }
  });
  const token = await mintToken(BENCH_SECRET, { sub: "usr_bench_admin", tid: TENANT, roles: ["org_admin"] });
  for (let i = 0; i < INTENTIONS; i++) {
    const response = await app.server.inject({
      method: "POST",
      url: `/api/v1/enterprises/${TENANT}/default-enrollment-intentions`,
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      payload: JSON.stringify({ contentKey: `crs_bench_${i}` }),
    });
    if (response.statusCode !== 201) throw new Error(`intention: ${response.statusCode} ${response.body}`);
  }
}

async function realizations(app: App): Promise<number> {
  return app.kernel.db.tx(async (tx) =>
    Number((await tx.query<{ n: number }>(`SELECT count(*)::int AS n FROM enrollment.default_enrollment_realizations`)).rows[0]!.n),
  );
}

export async function run(env: BenchEnv): Promise<Record<string, string | number>> {
  const learners = Number(process.env.BENCH_DEFAULT_ENROLLMENT_LEARNERS ?? 5_000);
  const app = await boot(env);
  try {
    await app.start();
    await seed(app);
    const started = Date.now();
    // Bulk-append the join events (1,000 per transaction), as a tenant service's import would.
    for (let i = 0; i < learners; i += 1_000) {
      const batch = Array.from({ length: Math.min(1_000, learners - i) }, (_, j) =>
        envelope(
          TenantMemberJoined,
          { tenantId: TENANT, userId: `usr_bench_${i + j}` },
          { eventId: newId("evt"), occurredAt: new Date(), tenantId: TENANT },
          { correlationId: "bench-join" },
        ),
      );
      await app.kernel.db.tx((tx) => app.kernel.outbox.append(tx, batch));
    }
    const appended = Date.now();
    const expected = learners * INTENTIONS;
    const deadline = Date.now() + 600_000;
    let done = 0;
    while ((done = await realizations(app)) < expected) {
      if (Date.now() > deadline) throw new Error(`only ${done} of ${expected} realizations after 10 minutes`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const seconds = (Date.now() - started) / 1000;
    return {
      learners,
      "intentions per learner": INTENTIONS,
      realizations: expected,
      "append s": round((appended - started) / 1000, 2),
      "total s (join → all realized)": round(seconds, 2),
      "learners joined/s": Math.round(learners / seconds),
      "realizations/s": Math.round(expected / seconds),
      bus: "NATS JetStream",
    };
  } finally {
    await app.stop();
  }
}
