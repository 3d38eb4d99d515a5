import { afterEach, describe, expect, it } from "vitest";
import { BillingApi } from "../../src/contexts/billing/api.js";
import { call, startTestApp, type TestApp } from "../support/test-app.js";
import { billingEvents, count } from "./billing-support.js";
import { stripeDelivery, useFakeStripe } from "./fake-stripe.js";
import { SYSTEM_SCOPE } from "../../src/platform/db/db.js";

const WEBHOOK_SECRET = "whsec_test_billing";
const fake = useFakeStripe(WEBHOOK_SECRET);
let t: TestApp | undefined;

afterEach(async () => {
  await t?.stop();
  t = undefined;
});

// No workers: each test runs the payment worker's pass itself, so nothing races it.
async function setup() {
  t = await startTestApp({ workers: false });
  return { t, api: new BillingApi(t.app.kernel) };
}

let n = 0;
/** Creates the intent, then runs the worker's pass that submits it to Stripe (after the first commit). */
async function payByStripe(api: BillingApi, paymentMethod: string) {
  const orderId = `ord_stripe_${n++}`;
  const created = await api.processPayment({
    orderId,
    buyerUserId: "usr_b",
    tenantId: "ten_1",
    amount: 2500,
    currency: "EUR",
    method: { method: "card", token: paymentMethod },
    correlationId: orderId,
    idempotencyKey: `k_${orderId}`,
  });
  expect(created.status).toBe("requires_payment");
  expect(await api.checkDuePayments()).toBe(1);
  const payment = (await api.getPayment(created.paymentId))!;
  const ref = await t!.app.kernel.db.tx(
    (tx) =>
      tx.query<{ provider_ref: string }>(`SELECT provider_ref FROM billing.payment_intents WHERE payment_id = $1`, [payment.paymentId]),
    { tenantId: SYSTEM_SCOPE },
  );
  return { orderId, payment, providerRef: ref.rows[0]!.provider_ref };
}

function delivery(t: TestApp, event: { id: string; type: string; object: Record<string, unknown> }, secret = WEBHOOK_SECRET) {
  return stripeDelivery(t, event, secret);
}

describe("Stripe adapter (against a local fake of the Stripe API)", () => {
  it("creates and confirms a PaymentIntent with idempotency keys derived from the order", async () => {
    const { t, api } = await setup();
    const { orderId, payment } = await payByStripe(api, "pm_card_visa");
    expect(payment).toMatchObject({ status: "succeeded", provider: "stripe" });
    const [create, confirm] = fake.current.requests
      .filter((r) => r.body.get("metadata[orderId]") === orderId || r.path.endsWith("/confirm"))
      .slice(-2);
    expect(create).toMatchObject({ path: "/v1/payment_intents", idempotencyKey: `order:${orderId}:create` });
    expect(create!.body.get("amount")).toBe("2500");
    expect(create!.body.get("currency")).toBe("eur");
    expect(confirm!.idempotencyKey).toBe(`order:${orderId}:confirm`);
    expect((await billingEvents(t, { correlationId: orderId })).map((e) => e.type)).toEqual(["billing.payment.succeeded.v1"]);
  });

  it("maps a declined card to a failed payment with Stripe's decline code", async () => {
    const { api } = await setup();
    const { payment } = await payByStripe(api, "pm_card_chargeDeclined");
    expect(payment).toMatchObject({ status: "failed", failureCode: "generic_decline" });
  });
});

describe("POST /api/v1/billing/webhooks/stripe", () => {
  it("refuses a bad signature with BILLING.WEBHOOK_SIGNATURE_INVALID and writes nothing", async () => {
    const { t, api } = await setup();
    const { payment, providerRef } = await payByStripe(api, "pm_card_processing");
    const eventsBefore = await count(t, `SELECT count(*) AS n FROM platform.outbox`);
    const forged = await delivery(
      t,
      { id: "evt_forged", type: "payment_intent.succeeded", object: { id: providerRef, object: "payment_intent" } },
      "whsec_wrong",
    );
    expect(forged).toMatchObject({ status: 400, body: { code: "BILLING.WEBHOOK_SIGNATURE_INVALID" } });
    const unsigned = await call(t.app, "POST", "/api/v1/billing/webhooks/stripe", {
      rawBody: JSON.stringify({ id: "evt_x", type: "payment_intent.succeeded", data: { object: { id: providerRef } } }),
    });
    expect(unsigned.body.code).toBe("BILLING.WEBHOOK_SIGNATURE_INVALID");
    expect(await count(t, `SELECT count(*) AS n FROM billing.stripe_events`)).toBe(0);
    expect(await count(t, `SELECT count(*) AS n FROM platform.outbox`)).toBe(eventsBefore);
    expect((await api.getPayment(payment.paymentId))!.status).toBe("processing");
  });

  it("applies payment_intent.succeeded once; a redelivery and a repeated 'paid' are 200 no-ops", async () => {
    const { t, api } = await setup();
    const { orderId, payment, providerRef } = await payByStripe(api, "pm_card_processing");
    expect(payment.status).toBe("processing");
    const paid = {
      id: "evt_paid_1",
      type: "payment_intent.succeeded",
      object: { id: providerRef, object: "payment_intent", status: "succeeded" },
    };
    expect(await delivery(t, paid)).toMatchObject({ status: 200, body: { outcome: "applied" } });
    expect(await delivery(t, paid)).toMatchObject({ status: 200, body: { outcome: "duplicate" } });
    expect(await delivery(t, { ...paid, id: "evt_paid_2" })).toMatchObject({ status: 200, body: { outcome: "applied" } });
    expect((await api.getPayment(payment.paymentId))!.status).toBe("succeeded");
    const events = await billingEvents(t, { correlationId: orderId });
    expect(events.map((e) => e.type)).toEqual(["billing.payment.succeeded.v1"]);
    expect(events[0]!.payload).toEqual({
      paymentId: payment.paymentId,
      orderId,
      amount: 2500,
      currency: "EUR",
      method: "card",
      provider: "stripe",
    });
    expect(await count(t, `SELECT count(*) AS n FROM billing.stripe_events`)).toBe(2);
  });

  it("maps payment_intent.payment_failed to billing.payment.failed.v1", async () => {
    const { t, api } = await setup();
    const { orderId, providerRef } = await payByStripe(api, "pm_card_processing");
    const failed = await delivery(t, {
      id: "evt_fail",
      type: "payment_intent.payment_failed",
      object: { id: providerRef, last_payment_error: { code: "card_declined", decline_code: "insufficient_funds", message: "no funds" } },
    });
    expect(failed.status).toBe(200);
    const events = await billingEvents(t, { correlationId: orderId });
    expect(events.map((e) => [e.type, e.payload.failureCode])).toEqual([["billing.payment.failed.v1", "insufficient_funds"]]);
  });

  it("settles a pending refund when charge.refunded arrives", async () => {
    const { t, api } = await setup();
    const { orderId, payment, providerRef } = await payByStripe(api, "pm_card_visa");
    const refund = await api.refundPayment({
      orderId,
      paymentId: payment.paymentId,
      amount: 1000,
      reason: "customer_request",
      correlationId: orderId,
    });
    expect(refund.status).toBe("pending");
    expect(await api.checkDuePayments()).toBe(1); // the worker sends it; Stripe (the fake) answers "pending"
    expect(fake.current.requests.filter((r) => r.idempotencyKey === `refund:${payment.paymentId}:customer_request`)).toHaveLength(1);
    expect(await billingEvents(t, { type: "billing.payment.refunded.v1" })).toEqual([]);
    const charge = {
      id: "evt_ref",
      type: "charge.refunded",
      object: { id: "ch_1", object: "charge", payment_intent: providerRef, amount_refunded: 1000 },
    };
    expect(await delivery(t, charge)).toMatchObject({ status: 200, body: { outcome: "applied" } });
    expect(await delivery(t, charge)).toMatchObject({ status: 200, body: { outcome: "duplicate" } });
    expect(await api.getPayment(payment.paymentId)).toMatchObject({
      status: "partially_refunded",
      refundedAmount: 1000,
      refunds: [{ refundId: refund.refundId, status: "succeeded" }],
    });
    const refunded = await billingEvents(t, { type: "billing.payment.refunded.v1" });
    expect(refunded.map((e) => e.payload)).toEqual([
      { paymentId: payment.paymentId, orderId, refundId: refund.refundId, amount: 1000, currency: "EUR" },
    ]);
  });

  it("does not settle a refund not yet sent to Stripe with a refund made elsewhere; it sends it, then settles it", async () => {
    const { t, api } = await setup();
    const { orderId, payment, providerRef } = await payByStripe(api, "pm_card_visa");
    const refund = await api.refundPayment({
      orderId,
      paymentId: payment.paymentId,
      amount: 1000,
      reason: "customer_request",
      correlationId: orderId,
    });
    // 10.00 refunded from the Stripe dashboard before the worker sent ours.
    const dashboard = {
      id: "evt_dash",
      type: "charge.refunded",
      object: { id: "ch_1", object: "charge", payment_intent: providerRef, amount_refunded: 1000 },
    };
    expect(await delivery(t, dashboard)).toMatchObject({ status: 200, body: { outcome: "applied" } });
    expect((await api.getPayment(payment.paymentId))!.refunds).toMatchObject([
      { refundId: refund.refundId, status: "pending" },
      { amount: 1000, status: "succeeded" },
    ]);
    expect(await api.checkDuePayments()).toBe(1);
    expect(fake.current.requests.filter((r) => r.idempotencyKey === `refund:${payment.paymentId}:customer_request`)).toHaveLength(1);
    const ours = {
      id: "evt_ours",
      type: "charge.refunded",
      object: { id: "ch_1", object: "charge", payment_intent: providerRef, amount_refunded: 2000 },
    };
    expect(await delivery(t, ours)).toMatchObject({ status: 200, body: { outcome: "applied" } });
    expect(await api.getPayment(payment.paymentId)).toMatchObject({
      refundedAmount: 2000,
      refunds: [{ refundId: refund.refundId, status: "succeeded" }, { status: "succeeded" }],
    });
  });

  it("acknowledges events for intents it does not know, and event types it does not use", async () => {
    const { t } = await setup();
    expect(await delivery(t, { id: "evt_u1", type: "payment_intent.succeeded", object: { id: "pi_unknown" } })).toMatchObject({
      status: 200,
      body: { outcome: "unknown_intent" },
    });
    expect(await delivery(t, { id: "evt_u2", type: "customer.created", object: { id: "cus_1" } })).toMatchObject({
      status: 200,
      body: { outcome: "ignored" },
    });
  });
});
