import { afterEach, describe, expect, it } from "vitest";
import { buy, liveOffer, openShop, order, sys, type Shop } from "../orders/purchase-support.js";

/**
 * A seat pack sold with an interval renews like a subscription (issue 20 item 5): a seat change
 * takes effect at renewal and never goes below the seats assigned, assignments stand still in the
 * renewal lock window, and the plan's revocation cap limits releases per period.
 */
const HOUR = 3_600_000;
let shop: Shop | undefined;
afterEach(async () => {
  await shop?.t.stop();
  shop = undefined;
});

const PACK = { kind: "seat_pack", amount: 500, currency: "USD", seats: 2, interval: "month", revocationCapPercent: 25 } as const;

async function advance(to: number) {
  const response = await shop!.http("POST", "/api/v1/test-clock/advance", { token: shop!.admin, body: { to: new Date(to).toISOString() } });
  expect(response.status, JSON.stringify(response.body)).toBe(200);
  await shop!.t.settle();
}

const assign = (licenseId: string, userIds: string[]) =>
  shop!.http("POST", `/api/v1/licenses/${licenseId}/seats`, { token: shop!.orgAdmin, body: { userIds } });
const release = (licenseId: string, seatAssignmentId: string) =>
  shop!.http("DELETE", `/api/v1/licenses/${licenseId}/seats/${seatAssignmentId}`, { token: shop!.orgAdmin });
const changePlan = (id: string, body: unknown) =>
  shop!.http("POST", `/api/v1/subscriptions/${id}/change-plan`, { token: shop!.orgAdmin, body });
const subscription = async (id: string) => (await shop!.http("GET", `/api/v1/subscriptions/${id}`, { token: shop!.orgAdmin })).body;

describe("seat-pack subscriptions", () => {
  it("renews with a seat change at renewal, keeps seats and their enrollments, locks assignments before renewal and caps releases", async () => {
    shop = await openShop({ env: { TEST_CLOCK: "on" } });
    const offer = await liveOffer(shop, PACK);
    const placed = await buy(shop, offer, { token: shop.orgAdmin, quantity: 4 });
    expect(placed.status, JSON.stringify(placed.body)).toBe(201);
    await shop.t.settle();
    const view = await order(shop, placed.body.orderId);
    const subscriptionId = view.items[0].subscriptionId as string;
    const licenseId = view.licenseIds[0] as string;
    const first = await subscription(subscriptionId);
    expect(first).toMatchObject({ status: "active", seats: 4, amount: 2_000 });

    const seated = await assign(licenseId, ["usr_s1", "usr_s2", "usr_s3"]);
    expect(seated.status, JSON.stringify(seated.body)).toBe(201);
    const seatOf = (userId: string) => seated.body.results.find((r: any) => r.userId === userId).seatAssignmentId as string;

    // Never below the seats assigned; a version that does not exist is refused; a change waits for the renewal.
    expect((await changePlan(subscriptionId, { seats: 2 })).body.code).toBe("SUBSCRIPTION.SEATS_BELOW_ASSIGNED");
    expect((await changePlan(subscriptionId, { planVersion: 9 })).body.code).toBe("SUBSCRIPTION.PLAN_VERSION_UNKNOWN");
    expect((await changePlan(subscriptionId, { seats: 4 })).body.code).toBe("SUBSCRIPTION.NO_CHANGE");
    const changed = await changePlan(subscriptionId, { seats: 8 });
    expect(changed.status, JSON.stringify(changed.body)).toBe(200);
    expect(changed.body).toMatchObject({ seats: 4, amount: 2_000, pendingChange: { seats: 8, amount: 4_000, planVersion: 1 } });

    // 25% of 4 seats: one release this period.
    expect((await release(licenseId, seatOf("usr_s3"))).status).toBe(200);
    const capped = await release(licenseId, seatOf("usr_s2"));
    expect(capped.status).toBe(409);
    expect(capped.body.code).toBe("SEATS.REVOCATION_CAP_REACHED");

    // The lock window: 12 h before the period ends, seats stand still.
    const periodEnd = new Date(first.currentPeriodEnd).getTime();
    await advance(periodEnd - 6 * HOUR);
    const locked = await assign(licenseId, ["usr_s4"]);
    expect(locked.status).toBe(409);
    expect(locked.body.code).toBe("SEATS.RENEWAL_LOCKED");
    expect((await release(licenseId, seatOf("usr_s2"))).body.code).toBe("SEATS.RENEWAL_LOCKED");

    await advance(periodEnd + 60_000);
    const renewed = await subscription(subscriptionId);
    expect(renewed).toMatchObject({ status: "active", seats: 8, amount: 4_000 });
    expect(renewed.pendingChange).toBeUndefined();
    expect(renewed.renewals.map((r: any) => [r.period, r.status])).toEqual([
      [0, "succeeded"],
      [1, "succeeded"],
    ]);
    const [charge] = await sys(shop, `SELECT amount::int AS amount FROM billing.payment_intents WHERE order_id = $1`, [
      `${subscriptionId}.p1.a1`,
    ]);
    expect(charge!.amount).toBe(4_000);
    const [license] = await sys(shop, `SELECT seat_total, seats_assigned, valid_until FROM marketplace.licenses WHERE license_id = $1`, [
      licenseId,
    ]);
    expect(license).toMatchObject({ seat_total: 8, seats_assigned: 2 });
    expect(new Date(license!.valid_until).toISOString()).toBe(renewed.currentPeriodEnd);
    // The seats carried over, and so did their enrollments.
    const enrollments = await sys(shop, `SELECT user_id, status FROM enrollment.enrollments WHERE license_id = $1 ORDER BY user_id`, [
      licenseId,
    ]);
    expect(enrollments.filter((e) => e.status === "active").map((e) => e.user_id)).toEqual(["usr_s1", "usr_s2"]);
    const entitled = await shop.http("GET", `/api/v1/entitlements?userId=usr_s1&courseId=${offer.courseId}`, { token: shop.orgAdmin });
    expect(entitled.body.entitled).toBe(true);

    // A new period: the lock is lifted and the cap starts again (25% of 8 = 2).
    expect((await assign(licenseId, ["usr_s4"])).status).toBe(201);
    expect((await release(licenseId, seatOf("usr_s2"))).status).toBe(200);
  });
});
