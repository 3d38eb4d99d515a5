import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buy, flow, ingest, openShop, order, sys, type Shop } from "../orders/purchase-support.js";
import { assignSeats, DAY_MS, fulfilled, refund, refundableOffer, withoutAudit } from "./refund-support.js";

let shop: Shop;
beforeAll(async () => {
  shop = await openShop();
});
afterAll(() => shop?.t.stop());

describe("refunds", () => {
  it("refunds a one-time purchase inside the window: money back, license and enrollment revoked, earnings reversed, events", async () => {
    const offer = await refundableOffer(shop);
    await withoutAudit(shop, offer.courseId); // with audit, the enrollment is downgraded instead (audit-downgrade.int.test.ts)
    const bought = await fulfilled(shop, offer);
    shop.t.clock.advance(14 * DAY_MS - 1_000); // one second before the deadline
    const response = await refund(shop, bought.orderId, { reason: "not what I expected" });
    expect(response.status, JSON.stringify(response.body)).toBe(202);
    expect(response.body).toMatchObject({ orderId: bought.orderId, status: "refunded", refund: { amount: 4900, currency: "USD" } });
    expect(response.body.refund.seats).toBeUndefined();

    const view = await order(shop, bought.orderId);
    expect(view.status).toBe("refunded");
    const license = await shop.http("GET", `/api/v1/licenses/${view.licenseIds[0]}`, { token: shop.admin });
    expect(license.body.state).toBe("revoked");
    const enrollment = await shop.http("GET", `/api/v1/enrollments/${view.enrollmentIds[0]}`, { token: shop.admin });
    expect(enrollment.body.status).toBe("revoked");

    const events = await flow(shop, bought.orderId);
    const after = events.slice(events.findIndex((e) => e.type === "marketplace.order.fulfilled.v1") + 1);
    expect(after.map((e) => e.type)).toEqual(
      expect.arrayContaining([
        "billing.payment.refunded.v1",
        "marketplace.license.revoked.v1",
        "enrollment.revoked.v1",
        "marketplace.order.refunded.v1",
      ]),
    );
    expect(after.at(-1)!.type).toBe("marketplace.order.refunded.v1");
    for (const event of after) expect(shop.t.app.kernel.registry.validate(event.type, event.payload), event.type).toEqual([]);
    expect(after.find((e) => e.type === "marketplace.license.revoked.v1")!.payload).toEqual({
      licenseId: view.licenseIds[0],
      orderId: bought.orderId,
      reason: "refunded",
    });
    expect(after.find((e) => e.type === "enrollment.revoked.v1" && "orderId" in e.payload)!.payload).toEqual({
      orderId: bought.orderId,
      revokedCount: 1,
    });
    expect(after.find((e) => e.type === "marketplace.order.refunded.v1")!.payload).toEqual({
      orderId: bought.orderId,
      buyerUserId: "usr_buyer",
      courseIds: [offer.courseId],
      refundReason: "not what I expected",
      amount: 4900,
      currency: "USD",
    });
    expect(after.find((e) => e.type === "billing.payment.refunded.v1")!.payload).toMatchObject({
      orderId: bought.orderId,
      amount: 4900,
      currency: "USD",
    });

    const ledger = await sys(
      shop,
      `SELECT kind, gross::int, platform_fee::int AS fee, provider_amount::int AS provider FROM marketplace.earnings WHERE order_id = $1 ORDER BY kind DESC`,
      [bought.orderId],
    );
    expect(ledger).toEqual([
      { kind: "sale", gross: 4900, fee: 735, provider: 4165 },
      { kind: "reversal", gross: -4900, fee: -735, provider: -4165 },
    ]);
  });

  it("refuses a refund one second after the deadline, and writes nothing", async () => {
    const offer = await refundableOffer(shop, { kind: "one_time", amount: 2500, currency: "USD" }, 7);
    const bought = await fulfilled(shop, offer);
    expect(Date.parse(bought.refundDeadline)).toBe(shop.t.clock.now().getTime() + 7 * DAY_MS);
    shop.t.clock.advance(7 * DAY_MS + 1_000);
    const response = await refund(shop, bought.orderId);
    expect(response.status).toBe(409);
    expect(response.body.code).toBe("REFUND.WINDOW_CLOSED");
    expect((await order(shop, bought.orderId)).status).toBe("fulfilled");
    expect(await sys(shop, `SELECT 1 FROM marketplace.refunds WHERE order_id = $1`, [bought.orderId])).toEqual([]);
  });

  it("counts the refund window from a later course start on every order of a listing, and from the run advertised at the time", async () => {
    const offer = await refundableOffer(shop, { kind: "one_time", amount: 2500, currency: "USD" }, 7);
    const run = (runKey: string, startsAt: Date) =>
      shop.http("POST", `/api/v1/catalog/courses/${offer.courseId}/runs`, {
        token: shop.admin,
        body: { runKey, courseVersionId: offer.courseVersionId, startsAt: startsAt.toISOString(), enrollable: true, advertised: true },
      });
    const now = shop.t.clock.now().getTime();
    expect((await run(`${offer.courseId}-r1`, new Date(now + 30 * DAY_MS))).status).toBe(201);
    // The first order learns the listing's course; the second reads the course's start with the listing.
    for (let i = 0; i < 2; i++) {
      const placed = await buy(shop, offer);
      expect(placed.status, JSON.stringify(placed.body)).toBe(201);
      expect(Date.parse(placed.body.refundDeadline)).toBe(now + 37 * DAY_MS);
    }
    expect((await run(`${offer.courseId}-r2`, new Date(now + 60 * DAY_MS))).status).toBe(201);
    const later = await buy(shop, offer);
    expect(Date.parse(later.body.refundDeadline)).toBe(now + 67 * DAY_MS);
  });

  it("refunds only the 7 unassigned seats of a 10-seat pack with 3 assigned, pro rata to the minor unit", async () => {
    const offer = await refundableOffer(shop, { kind: "seat_pack", amount: 1000, currency: "USD", seats: 1 });
    const coupon = await shop.http("POST", "/api/v1/coupons", { token: shop.admin, body: { code: "ODD1", amountOff: 1, currency: "USD" } });
    expect(coupon.status, JSON.stringify(coupon.body)).toBe(201);
    const bought = await fulfilled(shop, offer, { token: shop.orgAdmin, quantity: 10, couponCode: "ODD1" });
    expect(bought.totals.total).toBe(9_999);
    const licenseId = bought.licenseIds[0];
    const assigned = await assignSeats(shop, licenseId, ["usr_s1", "usr_s2", "usr_s3"]);
    expect(assigned.status, JSON.stringify(assigned.body)).toBeLessThan(300);
    await shop.t.settle();

    const tooMany = await refund(shop, bought.orderId, { reason: "too many seats", seats: 8 }, { token: shop.orgAdmin });
    expect(tooMany.status).toBe(409);
    expect(tooMany.body.code).toBe("REFUND.SEATS_CONSUMED");

    const response = await refund(shop, bought.orderId, { reason: "team shrank" }, { token: shop.orgAdmin });
    expect(response.status, JSON.stringify(response.body)).toBe(202);
    // 9999 × 7 / 10 = 6999.3 → 6999; the 3 kept seats stand for the other 3000.
    expect(response.body).toMatchObject({ status: "refunded", refund: { amount: 6_999, currency: "USD", seats: 7 } });

    const license = await shop.http("GET", `/api/v1/licenses/${licenseId}`, { token: shop.admin });
    expect(license.body).toMatchObject({ state: "active", seatTotal: 3, seatsAssigned: 3 });
    expect((await order(shop, bought.orderId)).status).toBe("fulfilled");
    const more = await assignSeats(shop, licenseId, ["usr_s4"]);
    expect(more.status).toBe(409);

    const events = await flow(shop, bought.orderId);
    expect(events.filter((e) => e.type === "marketplace.license.revoked.v1")).toEqual([]);
    expect(events.find((e) => e.type === "marketplace.order.refunded.v1")!.payload).toMatchObject({ amount: 6_999, seatsRefunded: 7 });
    const [sale, reversal] = await sys(
      shop,
      `SELECT gross::int, platform_fee::int AS fee, provider_amount::int AS provider FROM marketplace.earnings WHERE order_id = $1 ORDER BY kind DESC`,
      [bought.orderId],
    );
    expect(sale).toEqual({ gross: 9_999, fee: 1_500, provider: 8_499 });
    expect(reversal!.gross).toBe(-6_999);
    expect(reversal!.fee + reversal!.provider).toBe(-6_999);
    expect(reversal!.fee).toBe(-1_050);

    const again = await refund(shop, bought.orderId, { reason: "once more" }, { token: shop.orgAdmin });
    expect(again.status).toBe(202);
    expect(again.body.refundId).toBe(response.body.refundId);
  });

  it("refunds a whole unassigned seat pack: license revoked with no seats left", async () => {
    const offer = await refundableOffer(shop, { kind: "seat_pack", amount: 500, currency: "USD", seats: 1 });
    const bought = await fulfilled(shop, offer, { token: shop.orgAdmin, quantity: 4 });
    const response = await refund(shop, bought.orderId, { reason: "cancelled rollout" }, { token: shop.orgAdmin });
    expect(response.body).toMatchObject({ status: "refunded", refund: { amount: 2_000, seats: 4 } });
    expect((await order(shop, bought.orderId)).status).toBe("refunded");
    const license = await shop.http("GET", `/api/v1/licenses/${bought.licenseIds[0]}`, { token: shop.admin });
    expect(license.body).toMatchObject({ state: "revoked", seatTotal: 0 });
    const events = await flow(shop, bought.orderId);
    expect(events.find((e) => e.type === "enrollment.revoked.v1")!.payload).toEqual({ orderId: bought.orderId, revokedCount: 0 });
  });

  it("refuses a one-time purchase whose course is completed", async () => {
    const offer = await refundableOffer(shop, { kind: "one_time", amount: 1200, currency: "USD" });
    const bought = await fulfilled(shop, offer);
    await ingest(shop, "progress.completion.recorded.v1", {
      userId: "usr_buyer",
      courseId: offer.courseId,
      completionRecordId: "cr_refund",
      completedAt: shop.t.clock.now().toISOString(),
    });
    const response = await refund(shop, bought.orderId);
    expect(response.status).toBe(409);
    expect(response.body.code).toBe("REFUND.SEATS_CONSUMED");
    expect((await order(shop, bought.orderId)).status).toBe("fulfilled");
  });

  it("refuses orders that are not fulfilled, and hides other buyers' orders", async () => {
    const offer = await refundableOffer(shop, { kind: "one_time", amount: 1300, currency: "USD" });
    const { buy } = await import("../orders/purchase-support.js");
    const declined = await buy(shop, offer, { payment: { method: "card", token: "tok_declined" } });
    await shop.t.settle();
    const failed = await refund(shop, declined.body.orderId);
    expect(failed.status).toBe(409);
    expect(failed.body.code).toBe("REFUND.NOT_REFUNDABLE");

    const bought = await fulfilled(shop, offer);
    const stranger = await shop.t.token({ sub: "usr_other", tid: "ten_buyer", roles: ["learner"] });
    const response = await refund(shop, bought.orderId, { reason: "not mine" }, { token: stranger });
    expect(response.status).toBe(404);
    const byAdmin = await refund(shop, bought.orderId, { reason: "support ticket 42" }, { token: shop.admin });
    expect(byAdmin.status).toBe(202);
    expect(byAdmin.body.status).toBe("refunded");
  });

  it("answers duplicate refund requests with one refund and one money movement", async () => {
    const offer = await refundableOffer(shop, { kind: "one_time", amount: 3100, currency: "USD" });
    const bought = await fulfilled(shop, offer);
    const responses = await Promise.all(Array.from({ length: 5 }, () => refund(shop, bought.orderId)));
    const keyed = await Promise.all([1, 2].map(() => refund(shop, bought.orderId, { reason: "changed my mind" }, { key: "refund-key-1" })));
    for (const r of [...responses, ...keyed]) expect(r.status, JSON.stringify(r.body)).toBe(202);
    expect(new Set([...responses, ...keyed].map((r) => r.body.refundId)).size).toBe(1);
    expect(await sys(shop, `SELECT count(*)::int AS n FROM marketplace.refunds WHERE order_id = $1`, [bought.orderId])).toEqual([{ n: 1 }]);
    const view = await order(shop, bought.orderId);
    const refunds = await sys(
      shop,
      `SELECT r.amount::int FROM billing.payment_refunds r JOIN billing.payment_intents p ON p.payment_id = r.payment_id WHERE p.order_id = $1`,
      [bought.orderId],
    );
    expect(refunds).toEqual([{ amount: 3100 }]);
    expect(view.status).toBe("refunded");
    expect((await flow(shop, bought.orderId)).filter((e) => e.type === "marketplace.order.refunded.v1")).toHaveLength(1);
  });

  it("gives a wallet-paid order back to the buckets it came from", async () => {
    const offer = await refundableOffer(shop, { kind: "one_time", amount: 3000, currency: "USD" });
    const walletUser = await shop.t.token({ sub: "usr_wallet", tid: "ten_buyer", roles: ["learner"] });
    for (const [bucket, amount] of [
      ["promo", 1000],
      ["branded", 500],
      ["general", 5000],
    ] as const) {
      const credited = await shop.http("POST", "/api/v1/wallets/usr_wallet/credits", {
        token: shop.admin,
        body: { bucket, amount, currency: "USD", tenantId: "ten_buyer" },
        headers: { "idempotency-key": `credit-${Math.random()}` },
      });
      expect(credited.status, JSON.stringify(credited.body)).toBe(201);
    }
    const bought = await fulfilled(shop, offer, { token: walletUser, payment: { method: "wallet" } });
    const balances = async () => (await shop.http("GET", "/api/v1/wallets/usr_wallet", { token: shop.admin })).body;
    const spent = await balances();
    const response = await refund(shop, bought.orderId, { reason: "duplicate purchase" }, { token: walletUser });
    expect(response.body.status).toBe("refunded");
    const restored = await balances();
    expect(JSON.stringify(restored)).not.toEqual(JSON.stringify(spent));
    const events = await flow(shop, bought.orderId);
    const walletRefund = events.find((e) => e.type === "billing.wallet.refunded.v1")!;
    expect(walletRefund.payload).toMatchObject({ userId: "usr_wallet", originalOrderId: bought.orderId, totalRefunded: 3000 });
    expect(walletRefund.payload.refundBreakdown).toEqual([
      { bucket: "promo", amount: 1000 },
      { bucket: "branded", amount: 500 },
      { bucket: "general", amount: 1500 },
    ]);
    const rows = await sys(shop, `SELECT bucket, balance::int FROM billing.wallet_balances WHERE user_id = 'usr_wallet' ORDER BY bucket`);
    expect(rows).toEqual([
      { bucket: "branded", balance: 500 },
      { bucket: "general", balance: 5000 },
      { bucket: "promo", balance: 1000 },
    ]);
  });
});
