import { afterEach, describe, expect, it } from "vitest";
import { ENTERPRISE, openEnterprise } from "../default-enrollments/support.js";
import { buy, liveOffer, order, type Shop } from "../orders/purchase-support.js";

/**
 * A site licence sold with an interval renews like a subscription (issue 20 item 5), and its
 * coverage of the tenant's members follows the subscription: covered while active or past due,
 * not while suspended, covered again once a new payment method pays.
 */
const DAY = 86_400_000;
let shop: Shop | undefined;
afterEach(async () => {
  await shop?.t.stop();
  shop = undefined;
});

describe("site-licence subscriptions", () => {
  it("covers the tenant's members while active or in grace, not while suspended, and again once paid", async () => {
    shop = await openEnterprise({ env: { TEST_CLOCK: "on" } });
    const offer = await liveOffer(shop, { kind: "site_license", amount: 250_000, currency: "USD", interval: "year" });
    const placed = await buy(shop, offer, { token: shop.orgAdmin, payment: { method: "card", token: "tok_decline_after_first" } });
    expect(placed.status, JSON.stringify(placed.body)).toBe(201);
    await shop.t.settle();
    const subscriptionId = (await order(shop, placed.body.orderId)).items[0].subscriptionId as string;
    const joined = await shop.http("POST", `/api/v1/tenants/${ENTERPRISE}/members`, {
      token: shop.orgAdmin,
      body: { userId: "usr_member" },
    });
    expect(joined.status, JSON.stringify(joined.body)).toBe(201);
    await shop.t.settle();
    const member = await shop.t.token({ sub: "usr_member", tid: ENTERPRISE, roles: ["learner"] });
    const entitlement = async () =>
      (await shop!.http("GET", `/api/v1/entitlements?userId=usr_member&courseId=${offer.courseId}`, { token: member })).body;
    const advance = async (to: number) => {
      const moved = await shop!.http("POST", "/api/v1/test-clock/advance", {
        token: shop!.admin,
        body: { to: new Date(to).toISOString() },
      });
      expect(moved.status, JSON.stringify(moved.body)).toBe(200);
      await shop!.t.settle();
    };
    const view = async () => (await shop!.http("GET", `/api/v1/subscriptions/${subscriptionId}`, { token: shop!.orgAdmin })).body;

    const first = await view();
    expect(first).toMatchObject({ status: "active", interval: "year", amount: 250_000 });
    expect((await entitlement()).entitled).toBe(true);
    const periodEnd = new Date(first.currentPeriodEnd).getTime();

    await advance(periodEnd + 60_000);
    expect((await view()).status).toBe("past_due");
    expect((await entitlement()).entitled).toBe(true);

    await advance(periodEnd + 7 * DAY + 60_000);
    expect((await view()).status).toBe("suspended");
    expect((await entitlement()).entitled).toBe(false);

    const paid = await shop.http("PUT", `/api/v1/subscriptions/${subscriptionId}/payment-method`, {
      token: shop.orgAdmin,
      body: { method: "card", token: "tok_visa" },
    });
    expect(paid.body.status, JSON.stringify(paid.body)).toBe("active");
    await shop.t.settle();
    expect((await entitlement()).entitled).toBe(true);
  });
});
