import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { onPostgres } from "../support/test-app.js";
import { openShop, sys, type Shop } from "../orders/purchase-support.js";
import { assign, license, release, seatPack, users } from "./seats-support.js";

// PGlite is one connection, so locks never contend there: these run on PostgreSQL only.
let shop: Shop;
beforeAll(async () => {
  if (onPostgres) shop = await openShop();
});
afterAll(() => shop?.t.stop());

describe("seats under concurrency (PostgreSQL)", () => {
  it.runIf(onPostgres)("200 learners asking at once for 50 seats: exactly 50 get one, 150 are told SEATS.EXHAUSTED", async () => {
    const pack = await seatPack(shop, 50);
    const responses = await Promise.all(users("race", 200).map((u) => assign(shop, pack.licenseId, [u])));
    const statuses = responses.map((r) => (r.status === 409 ? r.body.code : r.status));
    expect(statuses.filter((s) => s === 201)).toHaveLength(50);
    expect(statuses.filter((s) => s === "SEATS.EXHAUSTED")).toHaveLength(150);
    expect(await license(shop, pack.licenseId)).toMatchObject({ seatsAssigned: 50, seatTotal: 50 });
    expect(
      await sys(shop, `SELECT count(*)::int AS n FROM marketplace.seat_assignments WHERE license_id = $1 AND status = 'active'`, [
        pack.licenseId,
      ]),
    ).toEqual([{ n: 50 }]);
    expect(
      await sys(shop, `SELECT count(*)::int AS n FROM enrollment.enrollments WHERE license_id = $1 AND status = 'active'`, [
        pack.licenseId,
      ]),
    ).toEqual([{ n: 50 }]);
    expect(
      await sys(
        shop,
        `SELECT count(*)::int AS n FROM platform.outbox WHERE type = 'marketplace.license.assigned.v1' AND correlation_id = $1`,
        [pack.orderId],
      ),
    ).toEqual([{ n: 50 }]);
  });

  it.runIf(onPostgres)("the same learner assigned from 10 requests at once holds one active seat", async () => {
    const pack = await seatPack(shop, 5);
    const responses = await Promise.all(Array.from({ length: 10 }, () => assign(shop, pack.licenseId, ["usr_same"])));
    expect(responses.map((r) => r.status).sort()).toEqual([200, 200, 200, 200, 200, 200, 200, 200, 200, 201]);
    expect(new Set(responses.map((r) => r.body.results[0].seatAssignmentId)).size).toBe(1);
    expect(await license(shop, pack.licenseId)).toMatchObject({ seatsAssigned: 1 });
    expect(await sys(shop, `SELECT count(*)::int AS n FROM enrollment.enrollments WHERE license_id = $1`, [pack.licenseId])).toEqual([
      { n: 1 },
    ]);
  });

  it.runIf(onPostgres)("releases and assignments racing on a full pack never oversell", async () => {
    const pack = await seatPack(shop, 10);
    const seated = await assign(shop, pack.licenseId, users("churn", 10));
    const ids = seated.body.results.map((r: any) => r.seatAssignmentId as string);
    const work = [
      ...ids.map((id: string) => release(shop, pack.licenseId, id)),
      ...users("newcomer", 30).map((u) => assign(shop, pack.licenseId, [u])),
    ];
    const responses = await Promise.all(work);
    expect(responses.every((r) => [200, 201, 409].includes(r.status))).toBe(true);
    const active = await sys<{ n: number }>(
      shop,
      `SELECT count(*)::int AS n FROM marketplace.seat_assignments WHERE license_id = $1 AND status = 'active'`,
      [pack.licenseId],
    );
    const view = await license(shop, pack.licenseId);
    expect(view.seatsAssigned).toBe(active[0]!.n);
    expect(view.seatsAssigned).toBeLessThanOrEqual(10);
  });
});
