import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buy, flow, liveOffer, openShop, order, sys, type Shop } from "./purchase-support.js";

let shop: Shop;
beforeAll(async () => {
  shop = await openShop();
});
afterAll(() => shop?.t.stop());

function expectRegistered(events: Array<{ type: string; payload: unknown }>) {
  for (const event of events) expect(shop.t.app.kernel.registry.validate(event.type, event.payload), event.type).toEqual([]);
}

describe("purchase saga, happy paths", () => {
  it("fulfils a one-time purchase by card: license, enrollment, earnings and the whole event sequence", async () => {
    const offer = await liveOffer(shop, { kind: "one_time", amount: 4900, currency: "USD" });
    const placed = await buy(shop, offer);
    expect(placed.status, JSON.stringify(placed.body)).toBe(201);
    expect(placed.body.totals).toMatchObject({ subtotal: 4900, discount: 0, tax: 0, total: 4900, currency: "USD" });
    const orderId = placed.body.orderId;
    const events = await flow(shop, orderId);
    expect(events.map((e) => e.type)).toEqual([
      "marketplace.order.placed.v1",
      "billing.payment.succeeded.v1",
      "marketplace.order.paid.v1",
      "marketplace.license.granted.v1",
      "marketplace.license.granted.v2",
      "enrollment.created.v1",
      "marketplace.order.fulfilled.v1",
    ]);
    expect(new Set(events.map((e) => e.correlationId))).toEqual(new Set([orderId]));
    // Each event names the one that caused it: the request's events none, the consumers' the event they handled.
    const [placedEvent, succeeded, paid, granted, grantedV2, enrolled, fulfilled] = events;
    expect([placedEvent, succeeded, paid, granted, grantedV2, enrolled, fulfilled].map((e) => e!.causationId)).toEqual([
      null,
      null,
      succeeded!.eventId,
      succeeded!.eventId,
      succeeded!.eventId,
      succeeded!.eventId,
      enrolled!.eventId,
    ]);
    expectRegistered(events);

    const view = await order(shop, orderId);
    expect(view.status).toBe("fulfilled");
    expect(view.licenseIds).toHaveLength(1);
    expect(view.enrollmentIds).toHaveLength(1);
    expect(view.saga.steps.map((s: any) => `${s.input}→${s.to}`)).toEqual([
      "OrderPlaced→awaiting_payment",
      "PaymentSucceeded→licensing",
      "LicensesGranted→enrolling",
      "EnrollmentCreated→fulfilled",
    ]);

    const license = await shop.http("GET", `/api/v1/licenses/${view.licenseIds[0]}`, { token: shop.buyer });
    expect(license.body).toMatchObject({ kind: "one_time", state: "active", seatTotal: 1, orderId });
    const enrollments = await shop.http("GET", `/api/v1/enrollments?userId=usr_buyer&courseId=${offer.courseId}`, { token: shop.buyer });
    expect(enrollments.body.items).toHaveLength(1);
    expect(enrollments.body.items[0]).toMatchObject({ status: "active", source: { kind: "license", ref: view.licenseIds[0] } });

    const earnings = await sys(shop, `SELECT gross, platform_fee, provider_amount FROM marketplace.earnings WHERE order_id = $1`, [
      orderId,
    ]);
    expect(earnings).toEqual([{ gross: 4900, platform_fee: 735, provider_amount: 4165 }]);
  });

  it("fulfils a seat pack with a license of that many seats and no enrollment yet", async () => {
    const offer = await liveOffer(shop, { kind: "seat_pack", amount: 1000, currency: "USD", seats: 5 });
    const placed = await buy(shop, offer, { token: shop.orgAdmin, quantity: 10 });
    expect(placed.status, JSON.stringify(placed.body)).toBe(201);
    expect(placed.body.totals.total).toBe(10_000);
    const view = await order(shop, placed.body.orderId);
    await shop.t.settle();
    const settled = await order(shop, placed.body.orderId);
    expect(settled.status).toBe("fulfilled");
    expect(settled.enrollmentIds).toEqual([]);
    const license = await shop.http("GET", `/api/v1/licenses/${settled.licenseIds[0]}`, { token: shop.orgAdmin });
    expect(license.body).toMatchObject({ kind: "seat_pack", seatTotal: 10, seatsAssigned: 0 });
    const granted = (await flow(shop, view.orderId)).find((e) => e.type === "marketplace.license.granted.v1")!;
    expect(granted.payload.seatTotal).toBe(10);
  });

  it("fulfils a site license and a monthly subscription", async () => {
    const site = await liveOffer(shop, { kind: "site_license", amount: 250_000, currency: "USD" });
    const siteOrder = await buy(shop, site, { token: shop.orgAdmin });
    const sub = await liveOffer(shop, { kind: "subscription", amount: 1500, currency: "USD", interval: "month" });
    const subOrder = await buy(shop, sub);
    await shop.t.settle();
    const siteView = await order(shop, siteOrder.body.orderId);
    const subView = await order(shop, subOrder.body.orderId);
    expect([siteView.status, subView.status]).toEqual(["fulfilled", "fulfilled"]);
    const subLicense = await shop.http("GET", `/api/v1/licenses/${subView.licenseIds[0]}`, { token: shop.buyer });
    expect(subLicense.body.kind).toBe("subscription");
    expect(Date.parse(subLicense.body.validUntil) - Date.parse(subLicense.body.validFrom)).toBe(31 * 86_400_000); // March has 31 days
  });

  it("fulfils a purchase paid from the learner-credit wallet, promo first", async () => {
    const offer = await liveOffer(shop, { kind: "one_time", amount: 3000, currency: "USD" });
    for (const [bucket, amount] of [
      ["promo", 1000],
      ["branded", 500],
      ["general", 5000],
    ] as const) {
      const credited = await shop.http("POST", "/api/v1/wallets/usr_buyer/credits", {
        token: shop.admin,
        body: { bucket, amount, currency: "USD", tenantId: "ten_buyer" },
        headers: { "idempotency-key": `credit-${Math.random()}` },
      });
      expect(credited.status, JSON.stringify(credited.body)).toBe(201);
    }
    const placed = await buy(shop, offer, { payment: { method: "wallet" } });
    expect(placed.status, JSON.stringify(placed.body)).toBe(201);
    const events = await flow(shop, placed.body.orderId);
    const paid = events.find((e) => e.type === "marketplace.order.paid.v1")!;
    expect(paid.payload.paymentMethod).toBe("wallet");
    expect(paid.payload.paymentBreakdown.map((b: any) => [b.bucket, b.amount])).toEqual([
      ["promo", 1000],
      ["branded", 500],
      ["general", 1500],
    ]);
    expect((await order(shop, placed.body.orderId)).status).toBe("fulfilled");
  });

  it("adds exclusive tax from billing's rate table for the buyer's country", async () => {
    const offer = await liveOffer(shop, { kind: "one_time", amount: 10_000, currency: "EUR" });
    const placed = await buy(shop, offer, { billingCountry: "DE" });
    expect(placed.status, JSON.stringify(placed.body)).toBe(201);
    expect(placed.body.totals.subtotal).toBe(10_000);
    expect(placed.body.totals.total).toBe(10_000 + placed.body.totals.tax);
    expect(placed.body.totals.tax).toBeGreaterThan(0);
  });
});

describe("operators", () => {
  it("list saga instances by state with their steps", async () => {
    const response = await shop.http("GET", "/api/v1/ops/sagas?state=fulfilled&limit=2", { token: shop.admin });
    expect(response.status).toBe(200);
    expect(response.body.items.length).toBeGreaterThan(0);
    expect(response.body.items[0]).toMatchObject({ type: "marketplace.purchase", state: "fulfilled" });
    expect(response.body.items[0].steps.at(-1).to).toBe("fulfilled");
    expect((await shop.http("GET", "/api/v1/ops/sagas", { token: shop.buyer })).status).toBe(403);
  });
});
