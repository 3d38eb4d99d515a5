import { afterEach, describe, expect, it } from "vitest";
import { BillingApi } from "../../src/contexts/billing/api.js";
import { PaymentProviders } from "../../src/contexts/billing/payments/payment-providers.js";
import type { PaymentProvider } from "../../src/contexts/billing/payments/payment-provider.js";
import { loadBillingSettings } from "../../src/contexts/billing/settings.js";
import { buy, flow, liveOffer, openShop, order, sys, type Shop } from "../orders/purchase-support.js";
import { startTestApp, type TestApp } from "../support/test-app.js";
import { billingEvents, count } from "./billing-support.js";
import { stripeDelivery, useFakeStripe } from "./fake-stripe.js";
import { paidByStripe, stripePayment, until, workerOverADay } from "./stripe-submission-support.js";
import { SYSTEM_SCOPE } from "../../src/platform/db/db.js";

// A payment's submission to Stripe; a refund's is in stripe-refund-submission.int.test.ts.
const WEBHOOK_SECRET = "whsec_test_submission";
const fake = useFakeStripe(WEBHOOK_SECRET);
let shop: Shop | undefined;
let t: TestApp | undefined;

afterEach(async () => {
  await shop?.t.stop();
  await t?.stop();
  shop = undefined;
  t = undefined;
});

describe("Stripe is called only after the paying transaction commits", () => {
  it("leaves Stripe untouched when the order's transaction fails after its payment step", async () => {
    shop = await openShop({
      wiring: {
        marketplace: (ports) => ({
          ...ports,
          payments: {
            ...ports.payments,
            async pay(tx, request) {
              await ports.payments.pay(tx, request);
              throw new Error("the placing transaction fails after the payment step");
            },
          },
        }),
      },
    });
    const offer = await liveOffer(shop);
    const before = fake.current.requests.length;
    const placed = await buy(shop, offer, { payment: { method: "card", token: "pm_card_visa" } });
    expect(placed.status).toBe(500);
    await new Promise((resolve) => setTimeout(resolve, 300)); // a submission woken by mistake would have run by now
    expect(fake.current.requests.length).toBe(before);
    expect(await sys(shop, `SELECT 1 FROM billing.payment_intents`)).toEqual([]);
    expect(await sys(shop, `SELECT 1 FROM marketplace.orders`)).toEqual([]);
  });

  it("fulfils a Stripe purchase: the payment worker is woken by the order's commit and charges once", async () => {
    // A poll interval longer than the test: only the wake after commit can submit in time.
    process.env.BILLING_POLL_MS = "600000";
    shop = await openShop().finally(() => delete process.env.BILLING_POLL_MS);
    const offer = await liveOffer(shop);
    const placed = await buy(shop, offer, { payment: { method: "card", token: "pm_card_visa" } });
    expect(placed.status).toBe(201);
    const orderId = placed.body.orderId as string;
    const fulfilled = await until(
      () => order(shop!, orderId),
      (o) => o.status === "fulfilled",
    );
    expect(fulfilled.status).toBe("fulfilled");
    const calls = fake.current.requests.filter((r) => r.idempotencyKey?.startsWith(`order:${orderId}:`));
    expect(calls.map((r) => [r.path.replace(/pi_fake_\d+/, "{id}"), r.idempotencyKey])).toEqual([
      ["/v1/payment_intents", `order:${orderId}:create`],
      ["/v1/payment_intents/{id}/confirm", `order:${orderId}:confirm`],
    ]);
    expect((await flow(shop, orderId)).map((e) => e.type)).toEqual([
      "marketplace.order.placed.v1",
      "billing.payment.succeeded.v1",
      "marketplace.order.paid.v1",
      "marketplace.license.granted.v1",
      "marketplace.license.granted.v2",
      "enrollment.created.v1",
      "marketplace.order.fulfilled.v1",
    ]);
  });
});

describe("a submission Stripe refuses, or tells of too early", () => {
  it("fails the payment at once when Stripe refuses the request itself, instead of asking again forever", async () => {
    t = await startTestApp({ workers: false });
    const api = new BillingApi(t.app.kernel);
    const orderId = "ord_too_small";
    const payment = await stripePayment(api, orderId, { amount: 30, currency: "USD", idempotencyKey: "k_small" });
    expect(await api.checkDuePayments()).toBe(1);
    expect(await api.getPayment(payment.paymentId)).toMatchObject({ status: "failed", failureCode: "amount_too_small" });
    expect((await billingEvents(t, { correlationId: orderId })).map((e) => [e.type, e.payload.failureCode])).toEqual([
      ["billing.payment.failed.v1", "amount_too_small"],
    ]);
    expect(await count(t, `SELECT count(*) AS n FROM billing.payment_deadlines`)).toBe(0);
  });

  it("refuses a webhook for an intent still being submitted, so Stripe delivers it again once the intent is known", async () => {
    t = await startTestApp({ workers: false });
    const api = new BillingApi(t.app.kernel);
    const orderId = "ord_early_webhook";
    const payment = await stripePayment(api, orderId, { token: "pm_card_processing", idempotencyKey: "k_early" });
    const early = (providerRef: string) =>
      stripeDelivery(
        t!,
        {
          id: "evt_early",
          type: "payment_intent.succeeded",
          object: { id: providerRef, object: "payment_intent", metadata: { paymentId: payment.paymentId } },
        },
        WEBHOOK_SECRET,
      );
    const tooEarly = await early("pi_not_recorded_yet");
    expect(tooEarly).toMatchObject({ status: 503, body: { code: "BILLING.WEBHOOK_TOO_EARLY" } });
    expect(await count(t, `SELECT count(*) AS n FROM billing.stripe_events`)).toBe(0);
    await api.checkDuePayments();
    const { rows } = await t.app.kernel.db.tx(
      (tx) =>
        tx.query<{ provider_ref: string }>(`SELECT provider_ref FROM billing.payment_intents WHERE payment_id = $1`, [payment.paymentId]),
      { tenantId: SYSTEM_SCOPE },
    );
    expect(await early(rows[0]!.provider_ref)).toMatchObject({ status: 200, body: { outcome: "applied" } });
    expect((await api.getPayment(payment.paymentId))!.status).toBe("succeeded");
  });
});

describe("two passes of the payment worker", () => {
  it("call Stripe once for a submission both found due", async () => {
    t = await startTestApp({ workers: false });
    const api = new BillingApi(t.app.kernel);
    const orderId = "ord_two_passes";
    const payment = await stripePayment(api, orderId, { idempotencyKey: "k_two" });
    await Promise.all([api.checkDuePayments(), api.checkDuePayments()]);
    expect(fake.current.requests.filter((r) => r.idempotencyKey === `order:${orderId}:create`)).toHaveLength(1);
    expect((await api.getPayment(payment.paymentId))!.status).toBe("succeeded");
    expect((await billingEvents(t, { correlationId: orderId })).map((e) => e.type)).toEqual(["billing.payment.succeeded.v1"]);
  });
});

describe("a payment Stripe does not answer", () => {
  it("is no longer submitted 23 hours after it was made, before Stripe forgets its keys and could charge twice", async () => {
    t = await startTestApp({ workers: false });
    const settings = loadBillingSettings();
    let calls = 0;
    const unreachable: PaymentProvider = Object.assign(Object.create(PaymentProviders.fromSettings(settings).card) as PaymentProvider, {
      async createIntent() {
        calls++;
        throw new Error("Stripe unreachable");
      },
    });
    const api = new BillingApi(t.app.kernel, { providers: new PaymentProviders(unreachable), taxRates: settings.taxRates });
    const orderId = "ord_unanswered";
    const payment = await stripePayment(api, orderId, { idempotencyKey: "k_unanswered" });
    expect(await workerOverADay(t, api, () => calls)).toEqual([2, 3, 3]); // asked again until 23 h, then no more
    expect((await api.getPayment(payment.paymentId))!.status).toBe("requires_payment");
    expect(await count(t, `SELECT count(*) AS n FROM billing.payment_deadlines`)).toBe(0);
  });
});
describe("a submission that fails after Stripe answered", () => {
  /** Stripe's confirm goes through, then the answer is lost on the way back (once). */
  function losingFirstAnswer(inner: PaymentProvider): PaymentProvider {
    let lost = false;
    return {
      name: inner.name,
      external: inner.external,
      createIntent: (request) => inner.createIntent(request),
      async confirm(request) {
        const outcome = await inner.confirm(request);
        if (!lost) {
          lost = true;
          throw new Error("socket hang up");
        }
        return outcome;
      },
      retrieve: (ref) => inner.retrieve(ref),
      refund: (request) => inner.refund(request),
    };
  }

  it("is tried again with the same keys, so Stripe keeps one PaymentIntent and the payment succeeds once", async () => {
    t = await startTestApp({ workers: false });
    const settings = loadBillingSettings();
    const api = new BillingApi(t.app.kernel, {
      providers: new PaymentProviders(losingFirstAnswer(PaymentProviders.fromSettings(settings).card)),
      taxRates: settings.taxRates,
    });
    const orderId = "ord_lost_answer";
    const createdBefore = fake.current.created.paymentIntents;
    const payment = await stripePayment(api, orderId, { idempotencyKey: "k_lost" });
    expect(await api.checkDuePayments()).toBe(1);
    expect((await api.getPayment(payment.paymentId))!.status).toBe("requires_payment");
    expect(await api.checkDuePayments()).toBe(0); // not before the retry delay
    t.clock.advance(30_000);
    expect(await api.checkDuePayments()).toBe(1);
    expect((await api.getPayment(payment.paymentId))!.status).toBe("succeeded");
    expect(fake.current.created.paymentIntents - createdBefore).toBe(1);
    expect((await billingEvents(t, { correlationId: orderId })).map((e) => e.type)).toEqual(["billing.payment.succeeded.v1"]);
    // The worker's event still names the request that created the payment.
    const [stored] = (
      await t.app.kernel.db.query<{ envelope: { metadata: Record<string, string> } }>(
        `SELECT envelope FROM platform.outbox WHERE correlation_id = $1`,
        [orderId],
      )
    ).rows;
    expect(stored!.envelope.metadata).toMatchObject({ idempotencyKey: "k_lost", requestId: orderId });
    expect(await count(t, `SELECT count(*) AS n FROM billing.payment_deadlines`)).toBe(0);
  });
});
