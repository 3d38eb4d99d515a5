import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stripeDelivery, useFakeStripe } from "../billing/fake-stripe.js";
import { buy, ingest, liveOffer, openShop, order, type Shop } from "../orders/purchase-support.js";

// Issue 20 item 6: a license taken back after the learner completed the course leaves that
// enrollment as it was (seed 003). Marketplace refuses a refund once the course is completed; a
// refund made in Stripe's dashboard cannot be refused, so that is the path that meets one.
const WEBHOOK_SECRET = "whsec_test_audit_downgrade_completed";
useFakeStripe(WEBHOOK_SECRET);
let shop: Shop;
beforeAll(async () => {
  shop = await openShop();
});
afterAll(async () => shop?.t.stop());

const enrollment = async (id: string) => (await shop.http("GET", `/api/v1/enrollments/${id}`, { token: shop.admin })).body;
const entitlement = async (courseId: string) =>
  (await shop.http("GET", `/api/v1/entitlements?userId=usr_buyer&courseId=${courseId}`, { token: shop.buyer })).body;

describe("a refund after completion", () => {
  it("leaves a completed enrollment as it is when the payment is refunded outside marketplace", async () => {
    const offer = await liveOffer(shop);
    const placed = await buy(shop, offer, { payment: { method: "card", token: "pm_card_visa" } });
    expect(placed.status).toBe(201);
    const orderId = placed.body.orderId as string;
    await expect.poll(async () => (await order(shop, orderId)).status, { timeout: 10_000 }).toBe("fulfilled");
    const enrollmentId = (await order(shop, orderId)).enrollmentIds[0];
    await ingest(shop, "progress.completion.recorded.v1", {
      userId: "usr_buyer",
      courseId: offer.courseId,
      completionRecordId: `cr_${orderId}`,
      completedAt: shop.t.clock.now().toISOString(),
    });
    await expect.poll(async () => (await enrollment(enrollmentId)).status, { timeout: 10_000 }).toBe("completed");

    const [intent] = await shop.t.app.kernel.db.tx(
      async (tx) =>
        (
          await tx.query<{ provider_ref: string; amount: string }>(
            `SELECT provider_ref, amount FROM billing.payment_intents WHERE order_id = $1`,
            [orderId],
          )
        ).rows,
    );
    const refunded = {
      id: `evt_${orderId}`,
      type: "charge.refunded",
      object: { id: `ch_${orderId}`, object: "charge", payment_intent: intent!.provider_ref, amount_refunded: Number(intent!.amount) },
    };
    expect(await stripeDelivery(shop.t, refunded, WEBHOOK_SECRET)).toMatchObject({ status: 200, body: { outcome: "applied" } });
    await shop.t.settle();

    expect((await order(shop, orderId)).status).toBe("refunded");
    expect(await enrollment(enrollmentId)).toMatchObject({ status: "completed", mode: "verified" });
    expect(await entitlement(offer.courseId)).toMatchObject({ entitled: true, enrollmentId, mode: "verified" });
  });
});
