import { afterEach, describe, expect, it } from "vitest";
import { buy, flow, liveOffer, openShop, order, sys, type Offer, type Shop } from "../orders/purchase-support.js";
import { refundableOffer } from "../refunds/refund-support.js";

/**
 * Subscriptions that renew (issue 20), end to end over HTTP with the test clock: a year of monthly
 * renewals, dunning to suspension and back, dunning to cancellation, cancel at period end and resume.
 */
const DAY = 86_400_000;
let shop: Shop | undefined;
afterEach(async () => {
  await shop?.t.stop();
  shop = undefined;
});

const MONTHLY = { kind: "subscription", amount: 1_000, currency: "USD", interval: "month" } as const;

async function subscribe(payment: unknown = { method: "card", token: "tok_visa" }) {
  shop = await openShop({ env: { TEST_CLOCK: "on" } });
  const offer = await liveOffer(shop, MONTHLY);
  const placed = await buy(shop, offer, { payment });
  expect(placed.status, JSON.stringify(placed.body)).toBe(201);
  await shop.t.settle();
  const view = await order(shop, placed.body.orderId);
  expect(view.status).toBe("fulfilled");
  const subscriptionId = view.items[0].subscriptionId as string;
  expect(subscriptionId).toMatch(/^sub_/);
  return { offer, orderId: placed.body.orderId as string, subscriptionId };
}

const subscription = async (id: string, token = shop!.buyer) => {
  const response = await shop!.http("GET", `/api/v1/subscriptions/${id}`, { token });
  expect(response.status, JSON.stringify(response.body)).toBe(200);
  return response.body;
};

/** Moves the process's clock: every deadline on the way fires in order, and the answer comes once all is settled. */
async function advance(body: { ms: number } | { to: string }) {
  const response = await shop!.http("POST", "/api/v1/test-clock/advance", { token: shop!.admin, body });
  expect(response.status, JSON.stringify(response.body)).toBe(200);
  await shop!.t.settle();
}

async function entitlement(offer: Offer) {
  const response = await shop!.http("GET", `/api/v1/entitlements?userId=usr_buyer&courseId=${offer.courseId}`, { token: shop!.buyer });
  expect(response.status).toBe(200);
  return response.body;
}

const eventsOf = (id: string) => flow(shop!, id);
/** The test courses offer audit: a subscription that ends moves its learner there (seed 003), not out. */
const AUDIT_ONLY = { entitled: true, mode: "audit" };

describe("subscriptions", () => {
  it("renews a monthly subscription for a year: 12 charges, 12 revenue-share entries, one licence valid throughout", async () => {
    const { offer, orderId, subscriptionId } = await subscribe();
    const first = await subscription(subscriptionId);
    expect(first).toMatchObject({ status: "active", orderId, planVersion: 1, amount: 1_000, currency: "USD", cancelAtPeriodEnd: false });
    expect(first.renewals).toHaveLength(1);
    const license = await shop!.http("GET", `/api/v1/licenses/${first.licenseId}`, { token: shop!.buyer });
    expect(license.body.subscriptionId).toBe(subscriptionId);

    for (let month = 1; month <= 12; month++) {
      const before = await subscription(subscriptionId);
      await advance({ to: new Date(new Date(before.currentPeriodEnd).getTime() + 60_000).toISOString() });
      expect((await entitlement(offer)).entitled, `month ${month}`).toBe(true);
    }
    const after = await subscription(subscriptionId);
    expect(after.status).toBe("active");
    expect(after.renewals.filter((r: any) => r.period > 0 && r.status === "succeeded")).toHaveLength(12);
    expect(new Set(after.renewals.map((r: any) => r.paymentId)).size).toBe(13);
    const earnings = await sys(shop!, `SELECT period FROM marketplace.earnings WHERE order_id = $1 AND kind = 'sale' ORDER BY period`, [
      orderId,
    ]);
    expect(earnings.map((e) => e.period)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    const licenses = await sys(shop!, `SELECT state, valid_until FROM marketplace.licenses WHERE order_id = $1`, [orderId]);
    expect(licenses).toHaveLength(1);
    expect(licenses[0]!.state).toBe("active");
    expect(new Date(licenses[0]!.valid_until).toISOString()).toBe(after.currentPeriodEnd);
    const renewed = (await eventsOf(subscriptionId)).filter((e) => e.type === "marketplace.subscription.renewed.v1");
    expect(renewed.map((e) => e.payload.period)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    const charges = await sys(shop!, `SELECT count(*)::int AS n FROM billing.payment_intents WHERE order_id LIKE $1`, [
      `${subscriptionId}.%`,
    ]);
    expect(charges[0]!.n).toBe(12);
  });

  it("dunning: past due with access during grace, retries, suspended without access, reactivated by a new card", async () => {
    const { offer, subscriptionId } = await subscribe({ method: "card", token: "tok_decline_after_first" });
    const periodEnd = new Date((await subscription(subscriptionId)).currentPeriodEnd).getTime();
    await advance({ to: new Date(periodEnd + 60_000).toISOString() });
    const pastDue = await subscription(subscriptionId);
    expect(pastDue.status).toBe("past_due");
    expect(pastDue.pastDueSince).toBeDefined();
    expect((await entitlement(offer)).entitled).toBe(true);

    await advance({ to: new Date(periodEnd + 7 * DAY + 60_000).toISOString() });
    const suspended = await subscription(subscriptionId);
    expect(suspended.status).toBe("suspended");
    // The first attempt and the retries on days 1, 3 and 5 after it.
    expect(suspended.renewals.filter((r: any) => r.period === 1).map((r: any) => r.status)).toEqual([
      "failed",
      "failed",
      "failed",
      "failed",
    ]);
    expect(await entitlement(offer)).toMatchObject({ entitled: false, reason: "subscription_suspended" });

    const changed = await shop!.http("PUT", `/api/v1/subscriptions/${subscriptionId}/payment-method`, {
      token: shop!.buyer,
      body: { method: "card", token: "tok_visa" },
    });
    expect(changed.status, JSON.stringify(changed.body)).toBe(200);
    expect(changed.body.status).toBe("active");
    await shop!.t.settle();
    expect((await entitlement(offer)).entitled).toBe(true);
    const types = (await eventsOf(subscriptionId)).map((e) => e.type);
    expect(types).toEqual([
      "marketplace.subscription.past_due.v1",
      "marketplace.subscription.suspended.v1",
      "marketplace.subscription.renewed.v1",
      "marketplace.subscription.reactivated.v1",
    ]);
  });

  it("dunning to the end: canceled after 30 days unpaid, the licence expires and access ends", async () => {
    const { offer, orderId, subscriptionId } = await subscribe({ method: "card", token: "tok_decline_after_first" });
    const periodEnd = new Date((await subscription(subscriptionId)).currentPeriodEnd).getTime();
    await advance({ to: new Date(periodEnd + 30 * DAY + 60_000).toISOString() });
    const ended = await subscription(subscriptionId);
    expect(ended).toMatchObject({ status: "canceled", endedReason: "payment_failed" });
    const licenses = await sys(shop!, `SELECT state FROM marketplace.licenses WHERE order_id = $1`, [orderId]);
    expect(licenses[0]!.state).toBe("expired");
    expect(await entitlement(offer)).toMatchObject(AUDIT_ONLY);
    const types = (await eventsOf(subscriptionId)).map((e) => e.type);
    expect(types).toContain("marketplace.subscription.canceled.v1");
    expect(types).toContain("marketplace.license.expired.v1");
    // Nothing more is charged once it ended.
    const charged = (await subscription(subscriptionId)).renewals.length;
    await advance({ ms: 60 * DAY });
    expect((await subscription(subscriptionId)).renewals).toHaveLength(charged);
  });

  it("cancel at period end keeps access to the end and charges nothing more; resume undoes it before the end", async () => {
    const { offer, subscriptionId } = await subscribe();
    const canceled = await shop!.http("POST", `/api/v1/subscriptions/${subscriptionId}/cancel`, { token: shop!.buyer, body: {} });
    expect(canceled.status, JSON.stringify(canceled.body)).toBe(200);
    expect(canceled.body).toMatchObject({ status: "active", cancelAtPeriodEnd: true });
    const resumed = await shop!.http("POST", `/api/v1/subscriptions/${subscriptionId}/resume`, { token: shop!.buyer });
    expect(resumed.body).toMatchObject({ status: "active", cancelAtPeriodEnd: false });
    const again = await shop!.http("POST", `/api/v1/subscriptions/${subscriptionId}/cancel`, {
      token: shop!.buyer,
      body: { atPeriodEnd: true },
    });
    expect(again.status).toBe(200);
    const periodEnd = new Date(again.body.currentPeriodEnd).getTime();
    await advance({ to: new Date(periodEnd - 60_000).toISOString() });
    expect((await entitlement(offer)).entitled).toBe(true);
    await advance({ to: new Date(periodEnd + 60_000).toISOString() });
    const ended = await subscription(subscriptionId);
    expect(ended).toMatchObject({ status: "expired", endedReason: "canceled_at_period_end" });
    expect(ended.renewals).toHaveLength(1);
    expect(await entitlement(offer)).toMatchObject(AUDIT_ONLY);
    const late = await shop!.http("POST", `/api/v1/subscriptions/${subscriptionId}/resume`, { token: shop!.buyer });
    expect(late.status).toBe(409);
    expect(late.body.code).toBe("SUBSCRIPTION.ENDED");
  });

  it("cancel now ends access at once; strangers see nothing; lists filter by status", async () => {
    const { offer, subscriptionId } = await subscribe();
    const stranger = await shop!.t.token({ sub: "usr_other", tid: "ten_buyer", roles: ["learner"] });
    expect((await shop!.http("GET", `/api/v1/subscriptions/${subscriptionId}`, { token: stranger })).status).toBe(404);
    expect((await shop!.http("POST", `/api/v1/subscriptions/${subscriptionId}/cancel`, { token: stranger, body: {} })).status).toBe(404);
    // An org admin sees a learner's personal subscription but may not cancel it or charge a card of theirs to it.
    const byOrgAdmin = await shop!.http("PUT", `/api/v1/subscriptions/${subscriptionId}/payment-method`, {
      token: shop!.orgAdmin,
      body: { method: "wallet" },
    });
    expect([byOrgAdmin.status, byOrgAdmin.body.code]).toEqual([403, "SUBSCRIPTION.NOT_ALLOWED"]);
    expect((await shop!.http("POST", `/api/v1/subscriptions/${subscriptionId}/cancel`, { token: shop!.orgAdmin, body: {} })).status).toBe(
      403,
    );
    const notCanceling = await shop!.http("POST", `/api/v1/subscriptions/${subscriptionId}/resume`, { token: shop!.buyer });
    expect(notCanceling.body.code).toBe("SUBSCRIPTION.NOT_CANCELING");
    const listed = await shop!.http("GET", `/api/v1/subscriptions?status=active`, { token: shop!.orgAdmin });
    expect(listed.body.items.map((s: any) => s.subscriptionId)).toEqual([subscriptionId]);
    const now = await shop!.http("POST", `/api/v1/subscriptions/${subscriptionId}/cancel`, {
      token: shop!.buyer,
      body: { atPeriodEnd: false },
    });
    expect(now.body).toMatchObject({ status: "canceled", endedReason: "requested" });
    await shop!.t.settle();
    expect(await entitlement(offer)).toMatchObject(AUDIT_ONLY);
    expect((await shop!.http("GET", `/api/v1/subscriptions?status=active`, { token: shop!.buyer })).body.items).toEqual([]);
    const bad = await shop!.http("PUT", `/api/v1/subscriptions/${subscriptionId}/payment-method`, {
      token: shop!.buyer,
      body: { method: "card" },
    });
    expect(bad.status).toBe(400);
  });
});

describe("subscriptions and refunds", () => {
  it("a refund of the order inside its window cancels the subscription: no renewal is ever charged", async () => {
    shop = await openShop({ env: { TEST_CLOCK: "on" } });
    const offer = await refundableOffer(shop, MONTHLY);
    const placed = await buy(shop, offer);
    await shop.t.settle();
    const subscriptionId = (await order(shop, placed.body.orderId)).items[0].subscriptionId as string;
    const refunded = await shop.http("POST", `/api/v1/orders/${placed.body.orderId}/refund`, {
      token: shop.buyer,
      body: { reason: "changed my mind" },
    });
    expect(refunded.status, JSON.stringify(refunded.body)).toBe(202);
    await shop.t.settle();
    expect(await subscription(subscriptionId)).toMatchObject({ status: "canceled", endedReason: "license_revoked" });
    await advance({ ms: 62 * DAY });
    expect((await subscription(subscriptionId)).renewals).toHaveLength(1);
    const charges = await sys(shop, `SELECT count(*)::int AS n FROM billing.payment_intents WHERE order_id LIKE $1`, [
      `${subscriptionId}.%`,
    ]);
    expect(charges[0]!.n).toBe(0);
  });
});

describe("subscriptions paid from the wallet", () => {
  const credit = (amount: number) =>
    shop!.http("POST", "/api/v1/wallets/usr_buyer/credits", {
      token: shop!.admin,
      body: { bucket: "general", amount, currency: "USD", tenantId: "ten_buyer" },
      headers: { "idempotency-key": `credit-${Math.random()}` },
    });

  it("renews from the learner-credit wallet, goes past due when it runs dry, and a top-up paid by the next retry reactivates it", async () => {
    shop = await openShop({ env: { TEST_CLOCK: "on" } });
    expect((await credit(2_500)).status).toBe(201);
    const { subscriptionId } = await (async () => {
      const offer = await liveOffer(shop!, MONTHLY);
      const placed = await buy(shop!, offer, { payment: { method: "wallet" } });
      expect(placed.status, JSON.stringify(placed.body)).toBe(201);
      await shop!.t.settle();
      return { subscriptionId: (await order(shop!, placed.body.orderId)).items[0].subscriptionId as string };
    })();
    const end = (s: any) => new Date(s.currentPeriodEnd).getTime();
    // 2,500 pays the purchase and one renewal (1,000 each); the second renewal finds 500.
    await advance({ to: new Date(end(await subscription(subscriptionId)) + 60_000).toISOString() });
    const once = await subscription(subscriptionId);
    expect(once).toMatchObject({ status: "active" });
    await advance({ to: new Date(end(once) + 60_000).toISOString() });
    const dry = await subscription(subscriptionId);
    expect(dry.status).toBe("past_due");
    expect(dry.renewals.at(-1)).toMatchObject({ period: 2, status: "failed", failureCode: "WALLET_INSUFFICIENT_BALANCE" });
    expect((await credit(1_000)).status).toBe(201);
    await advance({ ms: 1 * DAY });
    const back = await subscription(subscriptionId);
    expect(back).toMatchObject({ status: "active" });
    expect(back.renewals.filter((r: any) => r.status === "succeeded").map((r: any) => r.period)).toEqual([0, 1, 2]);
    const [balance] = await sys(
      shop!,
      `SELECT sum(balance)::int AS n FROM billing.wallet_balances WHERE user_id = 'usr_buyer' AND currency = 'USD'`,
    );
    expect(balance!.n).toBe(500);
  });
});
