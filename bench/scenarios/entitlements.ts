// Entitlement checks under load (issue 5): 100,000 enrollments, 32 connections, random learners.
// Target: ≥ 5,000 req/s with p99 ≤ 10 ms on PostgreSQL.
import { createRequire } from "node:module";
import { round, type BenchEnv, type Mode } from "../lib.js";

export const name = "entitlements";
// Seeding 100k enrollments needs direct SQL, which only PostgreSQL mode offers.
export const modes: Mode[] = ["postgres"];

interface AutocannonResult {
  latency: { p50: number; p99: number; max: number };
  requests: { average: number; total: number };
  non2xx: number;
  errors: number;
}
const autocannon = createRequire(import.meta.url)("autocannon") as (options: Record<string, unknown>) => Promise<AutocannonResult>;

const ENROLLMENTS = 100_000;
const LEARNERS = 25_000;
const COURSES = 40;

export async function run(env: BenchEnv): Promise<Record<string, string | number>> {
  const server = await env.startServer();
  if (!server.sql) throw new Error("entitlements bench needs direct SQL (PostgreSQL mode)");
  // Four enrollments per learner over 40 courses, a tenth in audit mode, a few revoked.
  await server.sql(
    `INSERT INTO enrollment.enrollments (id, tenant_id, user_id, course_id, course_version_id, source_kind, source_ref, license_id, status, mode, enrolled_at, updated_at)
     SELECT 'enr_b' || i, 'ten_' || (i % 100), 'usr_' || (i % $2), 'crs_' || ((i / $2) * 7 % $3), 'cv_1', 'license', 'lcn_b' || i, 'lcn_b' || i,
            CASE WHEN i % 97 = 0 THEN 'revoked' ELSE 'active' END, CASE WHEN i % 10 = 0 THEN 'audit' ELSE 'verified' END, now(), now()
       FROM generate_series(0, $1::int - 1) AS i`,
    [ENROLLMENTS, LEARNERS, COURSES],
  );
  await server.sql(`VACUUM ANALYZE enrollment.enrollments`);
  const token = await server.token({ sub: "svc_delivery", tid: "ten_platform", roles: ["service"] });
  const path = () => {
    const i = Math.floor(Math.random() * ENROLLMENTS);
    return `/api/v1/entitlements?userId=usr_${i % LEARNERS}&courseId=crs_${(Math.floor(i / LEARNERS) * 7) % COURSES}`;
  };
  const probe = await fetch(`${server.baseUrl}${path()}`, { headers: { authorization: `Bearer ${token}` } });
  if (!probe.ok) throw new Error(`entitlements returned ${probe.status}: ${await probe.text()}`);
  const result = await autocannon({
    url: server.baseUrl,
    connections: 32,
    duration: 10,
    headers: { authorization: `Bearer ${token}` },
    requests: [{ method: "GET", setupRequest: (request: Record<string, unknown>) => ({ ...request, path: path() }) }],
  });
  await server.stop();
  if (result.non2xx > 0 || result.errors > 0) throw new Error(`${result.non2xx} non-2xx and ${result.errors} errors under load`);
  return {
    enrollments: ENROLLMENTS,
    connections: 32,
    p50Ms: round(result.latency.p50),
    p99Ms: round(result.latency.p99),
    maxMs: round(result.latency.max),
    reqPerSec: round(result.requests.average),
    requests: result.requests.total,
  };
}
