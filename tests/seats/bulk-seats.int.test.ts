import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { onPostgres } from "../support/test-app.js";
import { openShop, sys, type Shop } from "../orders/purchase-support.js";
import { license, seatPack, users } from "./seats-support.js";

let shop: Shop;
beforeAll(async () => {
  shop = await openShop();
});
afterAll(() => shop?.t.stop());

async function waitForJob(licenseId: string, jobId: string, timeoutMs: number) {
  const seen: Array<{ done: number; failed: number; status: string }> = [];
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const response = await shop.http("GET", `/api/v1/licenses/${licenseId}/seat-jobs/${jobId}`, { token: shop.orgAdmin });
    expect(response.status).toBe(200);
    seen.push({ done: response.body.done, failed: response.body.failed, status: response.body.status });
    if (response.body.status === "completed") return { job: response.body, seen };
    if (Date.now() > deadline) throw new Error(`job still ${response.body.status} at ${response.body.done}/${response.body.total}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe("bulk seat assignment", () => {
  const count = onPostgres ? 10_000 : 2_000;

  it(`seats ${count} learners through a job that reports progress and ends completed with every enrollment`, async () => {
    const pack = await seatPack(shop, count);
    const ids = users("bulk", count);
    const accepted = await shop.http("POST", `/api/v1/licenses/${pack.licenseId}/seats`, { token: shop.orgAdmin, body: { userIds: ids } });
    expect(accepted.status, JSON.stringify(accepted.body)).toBe(202);
    expect(accepted.body).toMatchObject({ status: "queued", total: count });
    expect(accepted.body.jobId).toMatch(/^sjb_/);

    const { job, seen } = await waitForJob(pack.licenseId, accepted.body.jobId, 120_000);
    expect(job).toMatchObject({ total: count, done: count, failed: 0, status: "completed" });
    // Progress moves in chunks of 1,000 and never backwards.
    expect(seen.every((s) => s.done % 1_000 === 0)).toBe(true);
    expect(seen.map((s) => s.done)).toEqual([...seen.map((s) => s.done)].sort((a, b) => a - b));
    // PGlite is one connection, so a poll waits for the chunk in flight; PostgreSQL shows the job mid-way.
    if (onPostgres) expect(seen.some((s) => s.status === "running" && s.done > 0 && s.done < count)).toBe(true);

    expect(await license(shop, pack.licenseId)).toMatchObject({ seatsAssigned: count, seatTotal: count });
    expect(
      await sys(
        shop,
        `SELECT count(*)::int AS n FROM enrollment.enrollments WHERE license_id = $1 AND status = 'active' AND source_kind = 'seat'`,
        [pack.licenseId],
      ),
    ).toEqual([{ n: count }]);
    expect(
      await sys(
        shop,
        `SELECT count(*)::int AS n FROM marketplace.seat_assignments WHERE license_id = $1 AND status = 'active' AND enrollment_id IS NOT NULL`,
        [pack.licenseId],
      ),
    ).toEqual([{ n: count }]);

    const withResults = await shop.http("GET", `/api/v1/licenses/${pack.licenseId}/seat-jobs/${accepted.body.jobId}?results=true`, {
      token: shop.orgAdmin,
    });
    expect(withResults.body.results).toHaveLength(count);
    expect(withResults.body.results[0]).toMatchObject({ userId: ids[0], status: "assigned" });
  }, 180_000);

  it("reports the learners past the last seat as failed, and hides the job from other tenants", async () => {
    const pack = await seatPack(shop, 1_500);
    const accepted = await shop.http("POST", `/api/v1/licenses/${pack.licenseId}/seats`, {
      token: shop.orgAdmin,
      body: { userIds: users("over", 2_500) },
    });
    expect(accepted.status).toBe(202);
    const { job } = await waitForJob(pack.licenseId, accepted.body.jobId, 60_000);
    expect(job).toMatchObject({ total: 2_500, done: 1_500, failed: 1_000, status: "completed" });
    expect(await license(shop, pack.licenseId)).toMatchObject({ seatsAssigned: 1_500 });
    const other = await shop.t.token({ sub: "usr_other_admin", tid: "ten_other", roles: ["org_admin"] });
    expect((await shop.http("GET", `/api/v1/licenses/${pack.licenseId}/seat-jobs/${accepted.body.jobId}`, { token: other })).status).toBe(
      404,
    );
  }, 120_000);
});
