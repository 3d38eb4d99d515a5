// Public browse under load (issue 3): 10,000 live listings, full-text queries, 16 connections.
// Target: p99 ≤ 20 ms on PostgreSQL. Seeded with SQL (the server's own schema), then driven over HTTP.
import { createRequire } from "node:module";
import { round, type BenchEnv, type Mode } from "../lib.js";

export const name = "browse";
// Seeding needs direct SQL, which only PostgreSQL mode offers (PGlite lives inside the server process).
export const modes: Mode[] = ["postgres"];

interface AutocannonResult {
  latency: { p50: number; p99: number; average: number; max: number };
  requests: { average: number; total: number };
  non2xx: number;
  errors: number;
}
type Autocannon = (options: Record<string, unknown>) => Promise<AutocannonResult>;
// autocannon ships no types; this is the slice of its API used here.
const autocannon = createRequire(import.meta.url)("autocannon") as Autocannon;

const LISTINGS = 10_000;
const WORDS = [
  "kafka",
  "typescript",
  "rust",
  "python",
  "design",
  "systems",
  "distributed",
  "data",
  "machine",
  "learning",
  "security",
  "cloud",
  "kubernetes",
  "postgres",
  "react",
  "testing",
  "architecture",
  "leadership",
  "finance",
  "marketing",
  "statistics",
  "algorithms",
  "networks",
  "compilers",
  "databases",
  "mobile",
  "android",
  "swift",
  "golang",
  "java",
  "writing",
  "negotiation",
  "accounting",
  "product",
  "ux",
  "devops",
  "observability",
  "graphql",
  "streams",
  "economics",
];
// Filler vocabulary (pronounceable made-up words) so a topic word matches ~6% of listings, not a third.
const SYLLABLES = ["ba", "ko", "ri", "tu", "me", "sa", "lo", "ni", "ve", "du", "ga", "pe", "zo", "fi"];
const FILLER = SYLLABLES.flatMap((a) => SYLLABLES.map((b) => `${a}${b}n`)).slice(0, 160);
const VOCABULARY = [...WORDS, ...FILLER];
const QUERIES = ["kafka", "typescript streams", "machine learning", "postgres", "cloud security", "rust", "data", "leadership"];

export async function seed(sql: (text: string, params?: unknown[]) => Promise<unknown>): Promise<void> {
  // Deterministic pseudo-random words per listing: titles of 3 words, descriptions of 10.
  const pick = (k: number) => `w[1 + abs(hashtext(i::text || ':${k}')) % array_length(w, 1)]`;
  const id = `lpad(i::text, 6, '0')`;
  const amount = `(1000 + (hashtext('pln_bench_' || ${id}) & 65535))`;
  const currency = `(CASE WHEN hashtext('pln_bench_' || ${id}) % 2 = 0 THEN 'USD' ELSE 'EUR' END)`;
  // Listings are written once, already carrying the browse copy of their plan (current_plans).
  await sql(
    `INSERT INTO marketplace.listings (listing_id, provider_id, tenant_id, course_id, course_version_id, status, title, description, current_plans, created_at, updated_at)
     SELECT 'lst_bench_' || ${id}, 'prv_' || (i % 50), 'ten_' || (i % 50), 'crs_' || i, 'cv_' || i, 'live',
            initcap(${pick(7)} || ' ' || ${pick(11)} || ' ' || ${pick(17)}),
            ${[3, 5, 13, 19, 23, 29, 31, 37, 41, 43].map(pick).join(" || ' ' || ")},
            jsonb_build_array(jsonb_build_object('planId', 'pln_bench_' || ${id}, 'kind', 'one_time', 'version', 1, 'amount', ${amount}, 'currency', ${currency},
              'seats', null, 'interval', null, 'validityDays', null, 'perpetualOffline', false)),
            now(), now()
       FROM generate_series(1, $1::int) AS i, (SELECT $2::text[] AS w) AS words`,
    [LISTINGS, VOCABULARY],
  );
  await sql(
    `INSERT INTO marketplace.plans (plan_id, listing_id, kind, current_version, created_at)
             SELECT 'pln_bench_' || ${id}, 'lst_bench_' || ${id}, 'one_time', 1, now() FROM generate_series(1, $1::int) AS i`,
    [LISTINGS],
  );
  await sql(
    `INSERT INTO marketplace.plan_versions (plan_id, version, amount, currency, created_at)
             SELECT 'pln_bench_' || ${id}, 1, ${amount}, ${currency}, now() FROM generate_series(1, $1::int) AS i`,
    [LISTINGS],
  );
  // Hint bits and statistics, as a live system's autovacuum would have them.
  await sql(`VACUUM ANALYZE marketplace.listings`);
  await sql(`VACUUM ANALYZE marketplace.plans`);
  await sql(`VACUUM ANALYZE marketplace.plan_versions`);
}

export async function run(env: BenchEnv): Promise<Record<string, string | number>> {
  const server = await env.startServer();
  if (!server.sql) throw new Error("browse bench needs direct SQL (PostgreSQL mode)");
  const seeding = Date.now();
  await seed(server.sql);
  const seedMs = Date.now() - seeding;

  const probe = await fetch(`${server.baseUrl}/api/v1/marketplace/listings?q=kafka&limit=20`);
  const page = (await probe.json()) as { items: unknown[] };
  if (!probe.ok || page.items.length === 0) throw new Error(`browse returned ${probe.status} with ${page.items.length} items`);
  // How many live listings each query has to rank (the work behind one page).
  const matches = (await server.sql(
    `SELECT round(avg(n)) AS n FROM (SELECT (SELECT count(*) FROM marketplace.listings WHERE status = 'live' AND search @@ websearch_to_tsquery('english', q)) AS n FROM unnest($1::text[]) AS q) s`,
    [QUERIES],
  )) as { rows: Array<{ n: string }> };

  const result = await autocannon({
    url: server.baseUrl,
    connections: 16,
    duration: 10,
    requests: QUERIES.map((q) => ({ method: "GET", path: `/api/v1/marketplace/listings?q=${encodeURIComponent(q)}&limit=20` })),
  });
  await server.stop();
  if (result.non2xx > 0 || result.errors > 0) throw new Error(`${result.non2xx} non-2xx and ${result.errors} errors under load`);
  return {
    listings: LISTINGS,
    avgMatchesPerQuery: Number(matches.rows[0]!.n),
    seedMs,
    p50Ms: round(result.latency.p50),
    p99Ms: round(result.latency.p99),
    maxMs: round(result.latency.max),
    reqPerSec: round(result.requests.average),
    requests: result.requests.total,
  };
}
