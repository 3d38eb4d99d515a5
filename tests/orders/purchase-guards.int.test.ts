import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { onPostgres } from "../support/test-app.js";
import { buy, liveOffer, openShop, sys, type Offer, type Shop } from "./purchase-support.js";

let shop: Shop;
let offer: Offer;
beforeAll(async () => {
  shop = await openShop();
  offer = await liveOffer(shop);
});
afterAll(() => shop?.t.stop());

const written = async () => {
  const [row] = await sys<{ orders: number; items: number; redemptions: number; sagas: number }>(
    shop,
    `SELECT (SELECT count(*)::int FROM marketplace.orders) AS orders, (SELECT count(*)::int FROM marketplace.order_items) AS items,
            (SELECT count(*)::int FROM marketplace.coupon_redemptions) AS redemptions, (SELECT count(*)::int FROM platform.saga_instances) AS sagas`,
  );
  return row;
};

describe("POST /orders refuses bad input and writes nothing", () => {
  const item = () => ({ listingId: offer.listingId, planId: offer.planId });
  const cases: Array<[string, () => unknown, number, string]> = [
    ["no items", () => ({ items: [], payment: { method: "card", token: "tok_visa" } }), 400, "REQUEST.VALIDATION_FAILED"],
    [
      "an item without a plan",
      () => ({ items: [{ listingId: offer.listingId }], payment: { method: "card", token: "tok_visa" } }),
      400,
      "REQUEST.VALIDATION_FAILED",
    ],
    [
      "a quantity of zero",
      () => ({ items: [{ ...item(), quantity: 0 }], payment: { method: "card", token: "tok_visa" } }),
      400,
      "REQUEST.VALIDATION_FAILED",
    ],
    [
      "a quantity as a string",
      () => ({ items: [{ ...item(), quantity: "2" }], payment: { method: "card", token: "tok_visa" } }),
      400,
      "REQUEST.VALIDATION_FAILED",
    ],
    [
      "a quantity on a one-time plan",
      () => ({ items: [{ ...item(), quantity: 2 }], payment: { method: "card", token: "tok_visa" } }),
      400,
      "ORDER.QUANTITY_INVALID",
    ],
    [
      "an unknown field",
      () => ({ items: [item()], payment: { method: "card", token: "tok_visa" }, price: 1 }),
      400,
      "REQUEST.VALIDATION_FAILED",
    ],
    ["an unknown payment method", () => ({ items: [item()], payment: { method: "cash" } }), 400, "REQUEST.VALIDATION_FAILED"],
    ["a card without a token", () => ({ items: [item()], payment: { method: "card" } }), 400, "REQUEST.VALIDATION_FAILED"],
    [
      "a malformed country",
      () => ({ items: [item()], billingCountry: "germany", payment: { method: "card", token: "tok_visa" } }),
      400,
      "REQUEST.VALIDATION_FAILED",
    ],
    [
      "an unknown listing",
      () => ({ items: [{ listingId: "lst_nope", planId: offer.planId }], payment: { method: "card", token: "tok_visa" } }),
      404,
      "LISTING.NOT_FOUND",
    ],
    [
      "a plan of another listing",
      () => ({ items: [{ listingId: offer.listingId, planId: "pln_other" }], payment: { method: "card", token: "tok_visa" } }),
      422,
      "ORDER.PLAN_NOT_OF_LISTING",
    ],
    [
      "a stale plan version",
      () => ({ items: [{ ...item(), planVersion: 7 }], payment: { method: "card", token: "tok_visa" } }),
      409,
      "ORDER.PLAN_VERSION_STALE",
    ],
    [
      "an unknown coupon",
      () => ({ items: [item()], couponCode: "NOPE", payment: { method: "card", token: "tok_visa" } }),
      422,
      "COUPON.NOT_FOUND",
    ],
  ];
  for (const [name, body, status, code] of cases) {
    it(`answers ${name} with ${status} ${code}`, async () => {
      const before = await written();
      const response = await shop.http("POST", "/api/v1/orders", {
        token: shop.buyer,
        headers: { "idempotency-key": `bad-${name}` },
        body: body(),
      });
      expect(response.status, JSON.stringify(response.body)).toBe(status);
      expect(response.body.code).toBe(code);
      expect(String(response.headers["content-type"])).toContain("application/problem+json");
      expect(await written()).toEqual(before);
    });
  }

  it("requires an Idempotency-Key and a buyer role", async () => {
    const noKey = await shop.http("POST", "/api/v1/orders", {
      token: shop.buyer,
      body: { items: [item()], payment: { method: "card", token: "tok_visa" } },
    });
    expect(noKey.body.code).toBe("IDEMPOTENCY.KEY_REQUIRED");
    const provider = await buy(shop, offer, { token: shop.provider });
    expect(provider.status).toBe(403);
  });

  it("answers who may buy before what the body says: 401 without a token, 403 for a provider, even with a bad body", async () => {
    const before = await written();
    const anonymous = await shop.http("POST", "/api/v1/orders", { headers: { "idempotency-key": "bad-anon" }, body: { items: [] } });
    const provider = await shop.http("POST", "/api/v1/orders", {
      token: shop.provider,
      headers: { "idempotency-key": "bad-provider" },
      body: { items: [] },
    });
    expect([anonymous.body.code, provider.body.code]).toEqual(["AUTH.TOKEN_MISSING", "AUTH.FORBIDDEN"]);
    expect([anonymous.status, provider.status]).toEqual([401, 403]);
    expect(await written()).toEqual(before);
  });

  it("refuses a listing that is not live (suspended)", async () => {
    const other = await liveOffer(shop);
    await shop.http("POST", `/api/v1/listings/${other.listingId}/suspend`, { token: shop.admin, body: { reason: "quality review" } });
    const response = await buy(shop, other);
    expect(response.status).toBe(409);
    expect(response.body.code).toBe("LISTING.NOT_LIVE");
  });

  it("enforces the buying tenant's currency policy and purchase cap", async () => {
    expect(
      (
        await shop.http("POST", "/api/v1/tenants", {
          token: shop.admin,
          body: { tenantId: "ten_capped", name: "Capped Inc", kind: "organization" },
        })
      ).status,
    ).toBe(201);
    const set = await shop.http("PUT", "/api/v1/tenants/ten_capped/purchase-policy", {
      token: shop.admin,
      body: { allowedCurrencies: ["USD"], cap: { amount: 6000, currency: "USD", period: "month" } },
    });
    expect(set.status, JSON.stringify(set.body)).toBe(200);
    const capped = await shop.t.token({ sub: "usr_capped", tid: "ten_capped", roles: ["learner"] });
    expect((await buy(shop, offer, { token: capped })).status).toBe(201);
    const second = await buy(shop, offer, { token: capped });
    expect(second.status).toBe(422);
    expect(second.body.code).toBe("ORDER.PURCHASE_CAP_EXCEEDED");
    const euro = await liveOffer(shop, { kind: "one_time", amount: 100, currency: "EUR" });
    expect((await buy(shop, euro, { token: capped })).body.code).toBe("ORDER.CURRENCY_NOT_ALLOWED");
  });

  it("returns the first order when the same Idempotency-Key is sent again", async () => {
    const first = await buy(shop, offer, { key: "same-key" });
    const again = await buy(shop, offer, { key: "same-key" });
    expect(again.status).toBe(201);
    expect(again.body.orderId).toBe(first.body.orderId);
  });
});

describe("under concurrency (PostgreSQL)", () => {
  it.runIf(onPostgres)("discounts exactly 10 of 100 concurrent orders against a coupon capped at 10", async () => {
    const created = await shop.http("POST", "/api/v1/coupons", {
      token: shop.admin,
      body: { code: "TENONLY", percentOff: 50, maxRedemptions: 10 },
    });
    expect(created.status).toBe(201);
    const buyers = await Promise.all(
      Array.from({ length: 100 }, (_, i) => shop.t.token({ sub: `usr_rush_${i}`, tid: "ten_rush", roles: ["learner"] })),
    );
    const responses = await Promise.all(buyers.map((token) => buy(shop, offer, { token, couponCode: "TENONLY" })));
    const discounted = responses.filter((r) => r.status === 201 && r.body.totals.discount > 0);
    expect(discounted).toHaveLength(10);
    expect(responses.filter((r) => r.status === 409).every((r) => r.body.code === "COUPON.EXHAUSTED")).toBe(true);
    expect(responses.filter((r) => r.status === 409)).toHaveLength(90);
    const [coupon] = await sys<{ redeemed: number }>(shop, `SELECT redeemed FROM marketplace.coupons WHERE code = 'TENONLY'`);
    expect(coupon!.redeemed).toBe(10);
  });

  it.runIf(onPostgres)("discounts one of 20 concurrent orders by one buyer in two tenants against a once-per-buyer coupon", async () => {
    // The per-buyer count crosses tenants, which each order's row-level security scope cannot see.
    const created = await shop.http("POST", "/api/v1/coupons", {
      token: shop.admin,
      body: { code: "ONCEEACH", percentOff: 20, maxPerUser: 1 },
    });
    expect(created.status).toBe(201);
    const tokens = await Promise.all(["ten_once_a", "ten_once_b"].map((tid) => shop.t.token({ sub: "usr_once", tid, roles: ["learner"] })));
    const responses = await Promise.all(
      Array.from({ length: 20 }, (_, i) => buy(shop, offer, { token: tokens[i % 2], couponCode: "ONCEEACH" })),
    );
    expect(responses.filter((r) => r.status === 201 && r.body.totals.discount > 0)).toHaveLength(1);
    expect(
      responses.filter((r) => r.status !== 201 || r.body.totals.discount === 0).every((r) => r.body.code === "COUPON.USER_LIMIT_REACHED"),
    ).toBe(true);
  });

  it.runIf(onPostgres)("places one order when the same Idempotency-Key arrives 20 times at once", async () => {
    const responses = await Promise.all(Array.from({ length: 20 }, () => buy(shop, offer, { key: "burst-key" })));
    expect(new Set(responses.map((r) => r.status))).toEqual(new Set([201]));
    expect(new Set(responses.map((r) => r.body.orderId)).size).toBe(1);
    const [row] = await sys<{ n: number }>(shop, `SELECT count(*)::int AS n FROM marketplace.orders WHERE order_id = $1`, [
      responses[0]!.body.orderId,
    ]);
    expect(row!.n).toBe(1);
  });
});
