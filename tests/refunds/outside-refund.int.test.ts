import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stripeDelivery, useFakeStripe } from "../billing/fake-stripe.js";
import { buy, flow, liveOffer, openShop, order, sys, type Shop } from "../orders/purchase-support.js";
import { withoutAudit } from "./refund-support.js";

// Issue #18 item 9a: a refund made in Stripe's dashboard (charge.refunded for an order marketplace
// did not refund) reaches marketplace as billing.payment.refunded.v1 and undoes the sale's access.
const WEBHOOK_SECRET = "whsec_test_outside_refund";
useFakeStripe(WEBHOOK_SECRET);
let shop: Shop;
beforeAll(async () => {
  shop = await openShop();
});
afterAll(async () => shop?.t.stop());

async function fulfilledStripeOrder() {
  const offer = await liveOffer(shop);
  const placed = await buy(shop, offer, { payment: { method: "card", token: "pm_card_visa" } });
  expect(placed.status).toBe(201);
  const orderId = placed.body.orderId as string;
  await expect.poll(async () => (await order(shop, orderId)).status, { timeout: 10_000 }).toBe("fulfilled");
  const [intent] = await sys<{ provider_ref: string; amount: string }>(
    shop,
    `SELECT provider_ref, amount FROM billing.payment_intents WHERE order_id = $1`,
    [orderId],
  );
  return { offer, orderId, providerRef: intent!.provider_ref, amount: Number(intent!.amount) };
}

const chargeRefunded = (id: string, providerRef: string, amountRefunded: number) => ({
  id,
  type: "charge.refunded",
  object: { id: `ch_${id}`, object: "charge", payment_intent: providerRef, amount_refunded: amountRefunded },
});
const entitled = async (courseId: string) =>
  (await shop.http("GET", `/api/v1/entitlements?userId=usr_buyer&courseId=${courseId}`, { token: shop.buyer })).body.entitled;
const licenses = (orderId: string) => sys<{ state: string }>(shop, `SELECT state FROM marketplace.licenses WHERE order_id = $1`, [orderId]);

describe("a refund made outside marketplace", () => {
  it("refunds the order, revokes its license and the buyer's access, once however often it is delivered", async () => {
    const { offer, orderId, providerRef, amount } = await fulfilledStripeOrder();
    await withoutAudit(shop, offer.courseId); // with audit, the buyer keeps audit access (audit-downgrade.int.test.ts)
    expect(await entitled(offer.courseId)).toBe(true);

    const event = chargeRefunded("evt_dash_full", providerRef, amount);
    expect(await stripeDelivery(shop.t, event, WEBHOOK_SECRET)).toMatchObject({ status: 200, body: { outcome: "applied" } });
    expect(await stripeDelivery(shop.t, event, WEBHOOK_SECRET)).toMatchObject({ status: 200, body: { outcome: "duplicate" } });
    // Stripe's running total again under a new event id: nothing more was refunded.
    expect((await stripeDelivery(shop.t, chargeRefunded("evt_dash_full_again", providerRef, amount), WEBHOOK_SECRET)).status).toBe(200);
    await shop.t.settle();

    expect((await order(shop, orderId)).status).toBe("refunded");
    expect(await licenses(orderId)).toEqual([{ state: "revoked" }]);
    expect(await entitled(offer.courseId)).toBe(false);
    const types = (await flow(shop, orderId)).map((e) => e.type);
    expect(types.filter((t) => t === "marketplace.order.refunded.v1")).toHaveLength(1);
    expect(types.filter((t) => t === "marketplace.license.revoked.v1")).toHaveLength(1);
    expect(types.filter((t) => t === "billing.payment.refunded.v1")).toHaveLength(1);
    const refunded = (await flow(shop, orderId)).find((e) => e.type === "marketplace.order.refunded.v1")!;
    expect(refunded.payload).toMatchObject({ orderId, amount, refundReason: "provider_refund" });
    // The provider's share went back with the money; billing was never asked for a refund.
    const [net] = await sys<{ gross: string }>(
      shop,
      `SELECT coalesce(sum(gross), 0) AS gross FROM marketplace.earnings WHERE order_id = $1`,
      [orderId],
    );
    expect(Number(net!.gross)).toBe(0);
    expect(
      await sys(
        shop,
        `SELECT 1 FROM billing.payment_refunds r JOIN billing.payment_intents p USING (payment_id) WHERE p.order_id = $1 AND r.reason <> 'provider_refund'`,
        [orderId],
      ),
    ).toEqual([]);
  });

  it("keeps the access of an order refunded only in part", async () => {
    const { offer, orderId, providerRef } = await fulfilledStripeOrder();
    expect((await stripeDelivery(shop.t, chargeRefunded("evt_dash_part", providerRef, 1000), WEBHOOK_SECRET)).status).toBe(200);
    await shop.t.settle();
    expect((await order(shop, orderId)).status).toBe("fulfilled");
    expect(await licenses(orderId)).toEqual([{ state: "active" }]);
    expect(await entitled(offer.courseId)).toBe(true);
  });
});
