import { afterEach, describe, expect, it } from "vitest";
import { RejectionError } from "../../src/platform/result.js";
import { buy, flow, liveOffer, openShop, order, sys, type Shop } from "./purchase-support.js";

let shop: Shop | undefined;
afterEach(async () => {
  await shop?.t.stop();
  shop = undefined;
});

async function coupon(s: Shop, body: Record<string, unknown>) {
  const response = await s.http("POST", "/api/v1/coupons", { token: s.admin, body });
  expect(response.status, JSON.stringify(response.body)).toBe(201);
}

const redeemed = async (s: Shop, code: string) =>
  (await sys<{ redeemed: number }>(s, `SELECT redeemed FROM marketplace.coupons WHERE code = $1`, [code]))[0]!.redeemed;
const licensesOf = async (s: Shop, orderId: string) =>
  sys<{ state: string }>(s, `SELECT state FROM marketplace.licenses WHERE order_id = $1`, [orderId]);

describe("purchase saga, failures and compensation", () => {
  it("fails a declined card, releases the coupon and grants nothing", async () => {
    shop = await openShop();
    const offer = await liveOffer(shop);
    await coupon(shop, { code: "SPRING10", percentOff: 10, maxRedemptions: 5 });
    const placed = await buy(shop, offer, { payment: { method: "card", token: "tok_declined" }, couponCode: "SPRING10" });
    expect(placed.status).toBe(201);
    expect(placed.body.totals).toMatchObject({ subtotal: 4900, discount: 490, total: 4410 });
    const events = await flow(shop, placed.body.orderId);
    expect(events.map((e) => e.type)).toEqual(["marketplace.order.placed.v1", "billing.payment.failed.v1", "marketplace.order.failed.v1"]);
    expect(events[2]!.payload).toMatchObject({ failureReason: "card_declined", failureStage: "payment", rollbackCompleted: true });
    expect((await order(shop, placed.body.orderId)).status).toBe("failed");
    expect(await redeemed(shop, "SPRING10")).toBe(0);
    expect(await licensesOf(shop, placed.body.orderId)).toEqual([]);
  });

  it("fails an order whose payment never answers once the payment deadline passes", async () => {
    shop = await openShop();
    const offer = await liveOffer(shop);
    const placed = await buy(shop, offer, { payment: { method: "card", token: "tok_timeout" } });
    await shop.t.settle();
    expect((await order(shop, placed.body.orderId)).status).toBe("awaiting_payment");
    const runtimeFire = () => shop!.t.app.kernel.pollers.find((p) => p.name === "marketplace.purchase-deadlines")!;
    expect(runtimeFire()).toBeDefined();
    shop.t.clock.advance(15 * 60_000 - 1);
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect((await order(shop, placed.body.orderId)).status).toBe("awaiting_payment");
    shop.t.clock.advance(1);
    for (let i = 0; i < 50 && (await order(shop, placed.body.orderId)).status !== "failed"; i++)
      await new Promise((resolve) => setTimeout(resolve, 50));
    const view = await order(shop, placed.body.orderId);
    expect(view.status).toBe("failed");
    expect(view.failure).toMatchObject({ reason: "PAYMENT_TIMEOUT", stage: "payment" });
    const failed = (await flow(shop, placed.body.orderId)).find((e) => e.type === "marketplace.order.failed.v1")!;
    expect(failed.payload).toMatchObject({ failureReason: "PAYMENT_TIMEOUT", rollbackCompleted: true });
  });

  it("revokes the license, refunds the payment and fails the order when the enrollment cannot be created", async () => {
    shop = await openShop({
      wiring: {
        marketplace: (ports) => ({
          ...ports,
          enrollments: {
            ...ports.enrollments,
            enroll: async () => {
              throw new RejectionError({ code: "ENROLLMENT.COURSE_CLOSED", detail: "closed" });
            },
          },
        }),
      },
    });
    const offer = await liveOffer(shop);
    await coupon(shop, { code: "WELCOME", amountOff: 900, currency: "USD" });
    const placed = await buy(shop, offer, { couponCode: "WELCOME" });
    const events = await flow(shop, placed.body.orderId);
    expect(events.map((e) => e.type)).toEqual([
      "marketplace.order.placed.v1",
      "billing.payment.succeeded.v1",
      "marketplace.order.paid.v1",
      "marketplace.license.granted.v1",
      "marketplace.license.granted.v2",
      "marketplace.license.revoked.v1",
      "billing.payment.refunded.v1",
      "marketplace.order.failed.v1",
    ]);
    expect(events.at(-1)!.payload).toMatchObject({
      failureReason: "ENROLLMENT.COURSE_CLOSED",
      failureStage: "enrollment",
      rollbackCompleted: true,
    });
    expect(events.find((e) => e.type === "billing.payment.refunded.v1")!.payload.amount).toBe(4000);
    expect(await licensesOf(shop, placed.body.orderId)).toEqual([{ state: "revoked" }]);
    expect(await redeemed(shop, "WELCOME")).toBe(0);
    expect(await sys(shop, `SELECT 1 FROM marketplace.earnings WHERE order_id = $1`, [placed.body.orderId])).toEqual([]);
  });

  it("fails a wallet purchase without enough credit and reports what was missing", async () => {
    shop = await openShop();
    const offer = await liveOffer(shop, { kind: "one_time", amount: 3000, currency: "USD" });
    await shop.http("POST", "/api/v1/wallets/usr_buyer/credits", {
      token: shop.admin,
      body: { bucket: "promo", amount: 1000, currency: "USD", tenantId: "ten_buyer" },
      headers: { "idempotency-key": `credit-${Math.random()}` },
    });
    const placed = await buy(shop, offer, { payment: { method: "wallet" } });
    const events = await flow(shop, placed.body.orderId);
    expect(events.map((e) => e.type)).toContain("marketplace.order.failed.v1");
    expect(events.find((e) => e.type === "marketplace.order.failed.v1")!.payload).toMatchObject({
      failureReason: "WALLET_INSUFFICIENT_BALANCE",
      failureStage: "wallet_debit",
      amountRequired: 3000,
      amountAvailable: 1000,
    });
    const wallet = await shop.http("GET", "/api/v1/wallets/usr_buyer", { token: shop.buyer });
    expect(wallet.body.wallets[0].balances.promo).toBe(1000);
  });

  it("brings every order to a terminal state after the process stops between saga steps, without duplicates", async () => {
    shop = await openShop({ persistent: true });
    const offer = await liveOffer(shop);
    const seatOffer = await liveOffer(shop, { kind: "seat_pack", amount: 100, currency: "USD", seats: 2 });
    // Stop the workers so the flow halts right after the orders are placed (payment events pending).
    await shop.t.restart({ workers: false });
    const placed = [] as string[];
    for (let i = 0; i < 3; i++) placed.push((await buy(shop, offer)).body.orderId);
    placed.push((await buy(shop, seatOffer, { token: shop.orgAdmin, quantity: 4 })).body.orderId);
    for (const id of placed) expect((await order(shop, id)).status).toBe("awaiting_payment");
    // Half a relay pass, then the "crash".
    await shop.t.app.kernel.relay.runOnce();
    await shop.t.restart();
    await shop.t.settle();
    for (const id of placed) expect((await order(shop, id)).status, JSON.stringify((await order(shop, id)).saga)).toBe("fulfilled");
    const licenses = await sys<{ n: number }>(
      shop,
      `SELECT count(*)::int AS n FROM marketplace.licenses WHERE order_id = ANY($1::text[])`,
      [placed],
    );
    expect(licenses[0]!.n).toBe(4);
    const enrollments = await sys<{ n: number }>(
      shop,
      `SELECT count(*)::int AS n FROM enrollment.enrollments WHERE order_id = ANY($1::text[])`,
      [placed],
    );
    expect(enrollments[0]!.n).toBe(3);
  });
});
