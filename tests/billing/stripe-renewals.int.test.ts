import { afterEach, describe, expect, it } from "vitest";
import { buy, flow, liveOffer, openShop, order, type Shop } from "../orders/purchase-support.js";
import { useFakeStripe } from "./fake-stripe.js";
import { until } from "./stripe-submission-support.js";

/**
 * Subscriptions that renew with Stripe taking cards (issue 20), over HTTP with the test clock and
 * the fake Stripe: the renewal is one off-session PaymentIntent on the buyer's Customer, and an
 * off-session decline is dunning's failed charge. Both engines.
 */
const fake = useFakeStripe("whsec_test_renewals");
let shop: Shop | undefined;
afterEach(async () => {
  await shop?.t.stop();
  shop = undefined;
});

let n = 0;
async function subscribe(token: string) {
  shop = await openShop({ env: { TEST_CLOCK: "on" } });
  const offer = await liveOffer(shop, { kind: "subscription", amount: 1_000, currency: "USD", interval: "month" });
  const placed = await buy(shop, offer, { payment: { method: "card", token } });
  expect(placed.status, JSON.stringify(placed.body)).toBe(201);
  // Stripe answers the payment worker, woken by the order's commit, outside the test clock's settle.
  const fulfilled = await until(
    async () => {
      await shop!.t.settle();
      return order(shop!, placed.body.orderId);
    },
    (o) => o.status === "fulfilled",
  );
  expect(fulfilled.status).toBe("fulfilled");
  return fulfilled.items[0].subscriptionId as string;
}

const subscription = async (id: string) => (await shop!.http("GET", `/api/v1/subscriptions/${id}`, { token: shop!.buyer })).body;

/** Moves the clock a minute past the period's end, and waits until the renewal's charge is answered. */
async function pastPeriodEnd(subscriptionId: string) {
  const { currentPeriodEnd } = await subscription(subscriptionId);
  const to = new Date(new Date(currentPeriodEnd).getTime() + 60_000).toISOString();
  const moved = await shop!.http("POST", "/api/v1/test-clock/advance", { token: shop!.admin, body: { to } });
  expect(moved.status, JSON.stringify(moved.body)).toBe(200);
  return until(
    async () => {
      await shop!.t.settle();
      return subscription(subscriptionId);
    },
    (s) => s.renewals.some((r: any) => r.period === 1 && r.status !== "pending"),
  );
}

describe("subscriptions renewed with Stripe", () => {
  it("renews once with one off-session PaymentIntent on the buyer's Customer, keyed by subscription, period and attempt", async () => {
    const token = `pm_card_visa__renew${n++}`;
    const subscriptionId = await subscribe(token);
    const customerRef = fake.current.attached.get(token);
    expect(customerRef).toMatch(/^cus_fake_/);
    const intentsBefore = fake.current.created.paymentIntents;

    const renewed = await pastPeriodEnd(subscriptionId);
    expect(renewed.status).toBe("active");
    expect(renewed.renewals.filter((r: any) => r.period === 1).map((r: any) => r.status)).toEqual(["succeeded"]);
    const sent = fake.current.requests.filter((r) => r.idempotencyKey === `charge:${subscriptionId}.p1.a1`);
    expect(
      sent.map((r) => [r.path, r.body.get("customer"), r.body.get("payment_method"), r.body.get("off_session"), r.body.get("confirm")]),
    ).toEqual([["/v1/payment_intents", customerRef, token, "true", "true"]]);
    expect(fake.current.created.paymentIntents - intentsBefore).toBe(1);
    const events = (await flow(shop!, subscriptionId)).filter((e) => e.type === "marketplace.subscription.renewed.v1");
    expect(events.map((e) => e.payload.period)).toEqual([1]);
  });

  it("moves the subscription to past due when Stripe declines the off-session charge of a card the buyer changed to", async () => {
    const subscriptionId = await subscribe(`pm_card_visa__renew${n++}`);
    const token = `pm_card_chargeCustomerFail__renew${n++}`;
    const changed = await shop!.http("PUT", `/api/v1/subscriptions/${subscriptionId}/payment-method`, {
      token: shop!.buyer,
      body: { method: "card", token },
    });
    expect(changed.status, JSON.stringify(changed.body)).toBe(200);

    const pastDue = await pastPeriodEnd(subscriptionId);
    expect(pastDue.status).toBe("past_due");
    expect(pastDue.renewals.filter((r: any) => r.period === 1).map((r: any) => [r.status, r.failureCode])).toEqual([
      ["failed", "generic_decline"],
    ]);
    // Attached to the buyer's Customer by the worker before that first charge, once.
    expect(fake.current.requests.filter((r) => r.path === `/v1/payment_methods/${token}/attach`)).toHaveLength(1);
    expect(fake.current.requests.filter((r) => r.idempotencyKey === `charge:${subscriptionId}.p1.a1`)).toHaveLength(1);
    expect((await flow(shop!, subscriptionId)).map((e) => e.type)).toContain("marketplace.subscription.past_due.v1");
  });
});
