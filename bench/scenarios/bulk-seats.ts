// Bulk seat assignment (issue 5): 10,000 learners onto one seat pack, every enrollment created.
// Target: ≤ 10 s on PostgreSQL, from the POST to the job reporting completed (the enrollments are
// written in the job's own chunk transactions, so "completed" means they exist; PostgreSQL mode
// also counts them). Seeded through the public API on a started server, as an org would.
import { round, type BenchEnv, type BenchServer, type Mode } from "../lib.js";
import { http } from "../purchase-client.js";

export const name = "bulk-seats";
export const modes: Mode[] = ["postgres", "embedded"];

const SEATS = 10_000;

async function must(request: Promise<{ status: number; body: any }>, what: string): Promise<any> {
  const response = await request;
  if (response.status >= 300) throw new Error(`${what}: ${response.status} ${JSON.stringify(response.body)}`);
  return response.body;
}

async function until<T>(what: string, timeoutMs: number, probe: () => Promise<T | null>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== null) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** A live seat-pack listing and a paid order of `seats` seats by an org admin; returns the license. */
async function seatPackOrder(server: BenchServer, seats: number): Promise<{ licenseId: string; orgAdmin: string }> {
  const { baseUrl } = server;
  const admin = await server.token({ sub: "usr_admin", tid: "ten_platform", roles: ["platform_admin"] });
  const provider = await server.token({ sub: "usr_prov", tid: "ten_prov", roles: ["provider"], pid: "prv_seats" });
  const service = await server.token({ sub: "svc", tid: "ten_platform", roles: ["service"] });
  const orgAdmin = await server.token({ sub: "usr_orgadmin", tid: "ten_org", roles: ["org_admin"] });
  let n = 0;
  const ingest = (type: string, payload: unknown) =>
    must(
      http(baseUrl, "POST", "/api/v1/events/ingest", service, {
        eventId: `evt_seats_${++n}`,
        type,
        occurredAt: new Date().toISOString(),
        source: type.split(".")[0],
        payload,
      }),
      type,
    );
  // Retries a step until its upstream facts have been consumed.
  const step = (what: string, call: () => Promise<{ status: number; body: any }>) =>
    until(what, 30_000, async () => {
      const response = await call();
      if (response.status < 300) return response.body;
      if (response.status >= 500 || response.status === 401 || response.status === 403)
        throw new Error(`${what}: ${response.status} ${JSON.stringify(response.body)}`);
      return null;
    });

  await ingest("tenant.provider.kyc_verified.v1", { providerId: "prv_seats" });
  await step("course", () =>
    http(baseUrl, "POST", "/api/v1/catalog/courses", admin, { courseId: "crs_seats", providerId: "prv_seats", title: "Seats course" }),
  );
  await step("version", () =>
    http(baseUrl, "POST", "/api/v1/catalog/courses/crs_seats/versions", admin, { courseVersionId: "cv_seats", label: "v1" }),
  );
  await ingest("catalog.course_version.published.v1", { courseId: "crs_seats", courseVersionId: "cv_seats" });
  await ingest("content.play_package.built.v1", { courseId: "crs_seats", courseVersionId: "cv_seats" });
  const listing = await step("listing", () =>
    http(baseUrl, "POST", "/api/v1/listings", provider, {
      courseId: "crs_seats",
      courseVersionId: "cv_seats",
      title: "Onboarding for everyone",
    }),
  );
  const plan = await step("plan", () =>
    http(baseUrl, "POST", `/api/v1/listings/${listing.listingId}/plans`, provider, {
      kind: "seat_pack",
      amount: 100,
      currency: "USD",
      seats: 1,
    }),
  );
  await step("submit", () => http(baseUrl, "POST", `/api/v1/listings/${listing.listingId}/submit`, provider));
  await step("approve", () => http(baseUrl, "POST", `/api/v1/listings/${listing.listingId}/approve`, admin));
  await step("go-live", () => http(baseUrl, "POST", `/api/v1/listings/${listing.listingId}/go-live`, provider));
  const placed = await step("order", () =>
    http(
      baseUrl,
      "POST",
      "/api/v1/orders",
      orgAdmin,
      { items: [{ listingId: listing.listingId, planId: plan.planId, quantity: seats }], payment: { method: "card", token: "tok_visa" } },
      { "idempotency-key": "bench-seats-order" },
    ),
  );
  const fulfilled = await until("order fulfilled", 60_000, async () => {
    const view = await http(baseUrl, "GET", `/api/v1/orders/${placed.orderId}`, orgAdmin);
    if (view.body?.status === "failed") throw new Error(`order failed: ${JSON.stringify(view.body.failure ?? view.body)}`);
    return view.body?.status === "fulfilled" ? view.body : null;
  });
  return { licenseId: fulfilled.licenseIds[0], orgAdmin };
}

export async function run(env: BenchEnv): Promise<Record<string, string | number>> {
  const server = await env.startServer();
  const { licenseId, orgAdmin } = await seatPackOrder(server, SEATS);
  const userIds = Array.from({ length: SEATS }, (_, i) => `usr_seat_${i}`);

  const started = performance.now();
  const accepted = await http(server.baseUrl, "POST", `/api/v1/licenses/${licenseId}/seats`, orgAdmin, { userIds });
  if (accepted.status !== 202) throw new Error(`bulk assign: ${accepted.status} ${JSON.stringify(accepted.body)}`);
  const acceptMs = performance.now() - started;
  let polls = 0;
  const job = await until("seat job completed", 300_000, async () => {
    polls++;
    const view = await http(server.baseUrl, "GET", `/api/v1/licenses/${licenseId}/seat-jobs/${accepted.body.jobId}`, orgAdmin);
    return view.body?.status === "completed" ? view.body : null;
  });
  const seconds = (performance.now() - started) / 1000;

  if (job.done !== SEATS || job.failed !== 0) throw new Error(`job ended with done=${job.done} failed=${job.failed}`);
  const results = await http(
    server.baseUrl,
    "GET",
    `/api/v1/licenses/${licenseId}/seat-jobs/${accepted.body.jobId}?results=true`,
    orgAdmin,
  );
  const withEnrollment = (results.body.results as Array<{ enrollmentId?: string }>).filter((r) =>
    r.enrollmentId?.startsWith("enr_"),
  ).length;
  let enrollments = withEnrollment;
  if (server.sql) {
    const counted = await server.sql(`SELECT count(*)::int AS n FROM enrollment.enrollments WHERE license_id = $1 AND status = 'active'`, [
      licenseId,
    ]);
    enrollments = counted.rows[0].n;
  }
  if (enrollments !== SEATS) throw new Error(`only ${enrollments} of ${SEATS} enrollments exist`);
  const license = await http(server.baseUrl, "GET", `/api/v1/licenses/${licenseId}`, orgAdmin);
  await server.stop();
  return {
    learners: SEATS,
    seconds: round(seconds, 2),
    acceptMs: round(acceptMs),
    learnersPerSec: Math.round(SEATS / seconds),
    enrollments,
    seatsAssigned: license.body.seatsAssigned,
    polls,
    target: "≤ 10 s (PostgreSQL)",
  };
}
