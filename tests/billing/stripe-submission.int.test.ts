import { afterEach, describe, expect, it } from "vitest";
import { BillingApi } from "../../src/contexts/billing/billing-api.js";
import { leaseRefundSubmission } from "../../src/contexts/billing/payments/payment-intents.sql.js";
import { PaymentProviders } from "../../src/contexts/billing/payments/payment-providers.js";
import type { PaymentProvider } from "../../src/contexts/billing/payments/payment-provider.js";
import { loadBillingSettings } from "../../src/contexts/billing/settings.js";
import { buy, flow, liveOffer, openShop, order, sys, type Shop } from "../orders/purchase-support.js";
import { startTestApp, type TestApp } from "../support/test-app.js";
import { billingEvents, count } from "./billing-support.js";
import { stripeDelivery, useFakeStripe } from "./fake-stripe.js";
import { SYSTEM_SCOPE } from "../../src/platform/db/db.js";

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

async function until<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** A 25.00 EUR Stripe payment for `orderId`, submitted by one pass of the payment worker. */
async function paidByStripe(api: BillingApi, orderId: string) {
  const payment = await api.processPayment({
    orderId,
    buyerUserId: "usr_b",
    tenantId: "ten_1",
    amount: 2500,
    currency: "EUR",
    method: { method: "card", token: "pm_card_visa" },
    correlationId: orderId,
    idempotencyKey: `k_${orderId}`,
  });
  await api.checkDuePayments();
  return payment;
}

/**
 * Passes of the payment worker while the provider keeps failing: at once, 30 s later, 22 h 59 min
 * after the first call and 23 h 1 min after it. Returns the provider calls made by then, after each
 * of the last three passes.
 */
async function workerOverADay(api: BillingApi, calls: () => number): Promise<number[]> {
  await api.checkDuePayments();
  t!.clock.advance(30_000);
  await api.checkDuePayments();
  const second = calls();
  t!.clock.advance(23 * 3_600_000 - 90_000);
  await api.checkDuePayments();
  const justBefore = calls();
  t!.clock.advance(120_000);
  await api.checkDuePayments();
  return [second, justBefore, calls()];
}

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
    const payment = await api.processPayment({
      orderId,
      buyerUserId: "usr_b",
      tenantId: "ten_1",
      amount: 30,
      currency: "USD",
      method: { method: "card", token: "pm_card_visa" },
      correlationId: orderId,
      idempotencyKey: "k_small",
    });
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
    const payment = await api.processPayment({
      orderId,
      buyerUserId: "usr_b",
      tenantId: "ten_1",
      amount: 2500,
      currency: "EUR",
      method: { method: "card", token: "pm_card_processing" },
      correlationId: orderId,
      idempotencyKey: "k_early",
    });
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
    const payment = await api.processPayment({
      orderId,
      buyerUserId: "usr_b",
      tenantId: "ten_1",
      amount: 2500,
      currency: "EUR",
      method: { method: "card", token: "pm_card_visa" },
      correlationId: orderId,
      idempotencyKey: "k_two",
    });
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
    const payment = await api.processPayment({
      orderId,
      buyerUserId: "usr_b",
      tenantId: "ten_1",
      amount: 2500,
      currency: "EUR",
      method: { method: "card", token: "pm_card_visa" },
      correlationId: orderId,
      idempotencyKey: "k_unanswered",
    });
    expect(await workerOverADay(api, () => calls)).toEqual([2, 3, 3]); // asked again until 23 h, then no more
    expect((await api.getPayment(payment.paymentId))!.status).toBe("requires_payment");
    expect(await count(t, `SELECT count(*) AS n FROM billing.payment_deadlines`)).toBe(0);
  });
});

describe("two passes of the payment worker, for a refund", () => {
  it("send Stripe one refund both found due", async () => {
    t = await startTestApp({ workers: false });
    const api = new BillingApi(t.app.kernel);
    const orderId = "ord_two_passes_refund";
    const payment = await paidByStripe(api, orderId);
    await api.refundPayment({ orderId, paymentId: payment.paymentId, amount: 2500, reason: "customer_request", correlationId: orderId });
    await Promise.all([api.checkDuePayments(), api.checkDuePayments()]);
    expect(fake.current.requests.filter((r) => r.idempotencyKey === `refund:${payment.paymentId}:customer_request`)).toHaveLength(1);
  });

  it("give a refund to one of two transactions that lease it at once, the other waiting on the first", async () => {
    t = await startTestApp({ workers: false });
    const api = new BillingApi(t.app.kernel);
    const orderId = "ord_lease_race";
    const payment = await paidByStripe(api, orderId);
    const { refundId } = await api.refundPayment({
      orderId,
      paymentId: payment.paymentId,
      amount: 2500,
      reason: "customer_request",
      correlationId: orderId,
    });
    const db = t.app.kernel.db;
    const now = t.clock.now();
    const until = new Date(now.getTime() + 60_000);
    let commitFirst!: () => void;
    const held = new Promise<void>((resolve) => (commitFirst = resolve));
    const first = db.tx(
      async (tx) => {
        const taken = await leaseRefundSubmission(tx, refundId, now, until);
        await held; // the row stays locked until this commits (embedded: the session stays taken)
        return taken;
      },
      { tenantId: SYSTEM_SCOPE },
    );
    await new Promise((resolve) => setTimeout(resolve, 50));
    const second = db.tx((tx) => leaseRefundSubmission(tx, refundId, now, until), { tenantId: SYSTEM_SCOPE });
    await new Promise((resolve) => setTimeout(resolve, 50));
    commitFirst();
    const taken = await Promise.all([first, second]);
    expect(taken.map((lease) => lease?.refund.refundId ?? null)).toEqual([refundId, null]);
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
    const payment = await api.processPayment({
      orderId,
      buyerUserId: "usr_b",
      tenantId: "ten_1",
      amount: 2500,
      currency: "EUR",
      method: { method: "card", token: "pm_card_visa" },
      correlationId: orderId,
      idempotencyKey: "k_lost",
    });
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

  it("sends Stripe no refund asked for in a transaction that rolled back, and the committed one once, after commit", async () => {
    t = await startTestApp({ workers: false });
    const api = new BillingApi(t.app.kernel);
    const orderId = "ord_refund_rollback";
    const payment = await paidByStripe(api, orderId);
    const refundsBefore = fake.current.created.refunds;
    const request = { orderId, paymentId: payment.paymentId, amount: 1000, reason: "customer_request", correlationId: orderId };
    await expect(
      t.app.kernel.db.tx(
        async (tx) => {
          await api.refundPaymentIn(tx, request);
          throw new Error("rolled back after asking for the refund");
        },
        { tenantId: SYSTEM_SCOPE },
      ),
    ).rejects.toThrow("rolled back");
    expect(await api.checkDuePayments()).toBe(0);
    expect(fake.current.created.refunds - refundsBefore).toBe(0);

    const refund = await api.refundPayment(request);
    expect(refund.status).toBe("pending");
    expect(fake.current.created.refunds - refundsBefore).toBe(0); // not from inside the transaction
    expect(await api.checkDuePayments()).toBe(1);
    expect(await api.checkDuePayments()).toBe(0);
    expect(fake.current.created.refunds - refundsBefore).toBe(1);
    expect(
      fake.current.requests
        .filter((r) => r.path === "/v1/refunds" && r.idempotencyKey?.startsWith(`refund:${payment.paymentId}:`))
        .map((r) => r.idempotencyKey),
    ).toEqual([`refund:${payment.paymentId}:customer_request`]);
    // Stripe took it; charge.refunded will settle it (the fake answers "pending", as Stripe may).
    expect((await api.getPayment(payment.paymentId))!.refunds).toMatchObject([{ refundId: refund.refundId, status: "pending" }]);
    expect(
      await count(t, `SELECT count(*) AS n FROM billing.payment_refunds WHERE provider_ref IS NOT NULL AND submit_due_at IS NULL`),
    ).toBe(1);
  });

  it("asks Stripe again with the same key when a refund's answer is lost, so Stripe keeps one refund", async () => {
    t = await startTestApp({ workers: false });
    const settings = loadBillingSettings();
    const stripe = PaymentProviders.fromSettings(settings).card;
    let lost = false;
    const losing: PaymentProvider = Object.assign(Object.create(stripe) as PaymentProvider, {
      async refund(request: Parameters<PaymentProvider["refund"]>[0]) {
        const outcome = await stripe.refund(request);
        if (!lost) {
          lost = true;
          throw new Error("socket hang up");
        }
        return outcome;
      },
    });
    const api = new BillingApi(t.app.kernel, { providers: new PaymentProviders(losing), taxRates: settings.taxRates });
    const orderId = "ord_refund_lost";
    const payment = await paidByStripe(api, orderId);
    const refundsBefore = fake.current.created.refunds;
    await api.refundPayment({ orderId, paymentId: payment.paymentId, amount: 2500, reason: "customer_request", correlationId: orderId });
    await api.checkDuePayments();
    expect(await count(t, `SELECT count(*) AS n FROM billing.payment_refunds WHERE provider_ref IS NULL`)).toBe(1);
    t.clock.advance(30_000);
    await api.checkDuePayments();
    expect(fake.current.requests.filter((r) => r.idempotencyKey === `refund:${payment.paymentId}:customer_request`)).toHaveLength(2);
    expect(fake.current.created.refunds - refundsBefore).toBe(1);
    expect(
      await count(t, `SELECT count(*) AS n FROM billing.payment_refunds WHERE provider_ref IS NOT NULL AND submit_due_at IS NULL`),
    ).toBe(1);
  });
});

describe("the payment worker records Stripe's answer to a refund", () => {
  /** Stripe with its refund answer replaced (the fake only ever answers "pending"), or unreachable. */
  function refundsAnswering(answer: () => Promise<Awaited<ReturnType<PaymentProvider["refund"]>>>) {
    const settings = loadBillingSettings();
    const stripe = PaymentProviders.fromSettings(settings).card;
    const provider: PaymentProvider = Object.assign(Object.create(stripe) as PaymentProvider, { refund: answer });
    return new BillingApi(t!.app.kernel, { providers: new PaymentProviders(provider), taxRates: settings.taxRates });
  }

  /** A paid order and a full refund asked for, not yet sent. */
  async function fullRefundAsked(api: BillingApi, orderId: string) {
    const payment = await paidByStripe(api, orderId);
    const refund = await api.refundPayment({
      orderId,
      paymentId: payment.paymentId,
      amount: 2500,
      reason: "customer_request",
      correlationId: orderId,
    });
    return { payment, refund };
  }

  it("money back: the refund succeeds and billing.payment.refunded.v1 announces it", async () => {
    t = await startTestApp({ workers: false });
    const api = refundsAnswering(async () => ({ status: "succeeded", providerRef: "re_now" }));
    const orderId = "ord_refund_succeeds";
    const { payment, refund } = await fullRefundAsked(api, orderId);
    await api.checkDuePayments();
    expect(await api.getPayment(payment.paymentId)).toMatchObject({
      status: "refunded",
      refunds: [{ refundId: refund.refundId, status: "succeeded" }],
    });
    expect((await billingEvents(t, { type: "billing.payment.refunded.v1" })).map((e) => e.payload)).toEqual([
      { paymentId: payment.paymentId, orderId, refundId: refund.refundId, amount: 2500, currency: "EUR" },
    ]);
    expect(await count(t, `SELECT count(*) AS n FROM billing.payment_refunds WHERE submit_due_at IS NOT NULL`)).toBe(0);
  });

  it("a refusal: the refund fails, no money event, and it is not sent again", async () => {
    t = await startTestApp({ workers: false });
    let calls = 0;
    const api = refundsAnswering(async () => (calls++, { status: "failed", failureCode: "charge_disputed", failureMessage: "disputed" }));
    const orderId = "ord_refund_refused";
    const { payment } = await fullRefundAsked(api, orderId);
    await api.checkDuePayments();
    t.clock.advance(60_000);
    await api.checkDuePayments();
    expect(calls).toBe(1);
    expect(await api.getPayment(payment.paymentId)).toMatchObject({ status: "succeeded", refunds: [{ status: "failed" }] });
    expect(await billingEvents(t, { type: "billing.payment.refunded.v1" })).toEqual([]);
  });

  it("stops sending a refund Stripe has not answered for 23 hours, before Stripe forgets its key", async () => {
    t = await startTestApp({ workers: false });
    let calls = 0;
    const api = refundsAnswering(async () => {
      calls++;
      throw new Error("Stripe unreachable");
    });
    await fullRefundAsked(api, "ord_refund_unanswered");
    expect(await workerOverADay(api, () => calls)).toEqual([2, 3, 3]); // asked again until 23 h, then no more
    expect(await count(t, `SELECT count(*) AS n FROM billing.payment_refunds WHERE status = 'pending' AND submit_due_at IS NULL`)).toBe(1);
  });

  it("still sends a refund first taken a day after it was asked for (the worker was down): Stripe has no key for it yet", async () => {
    t = await startTestApp({ workers: false });
    let calls = 0;
    const api = refundsAnswering(async () => (calls++, { status: "succeeded", providerRef: "re_late" }));
    const { payment } = await fullRefundAsked(api, "ord_refund_late");
    t.clock.advance(24 * 3_600_000);
    await api.checkDuePayments();
    expect(calls).toBe(1);
    expect((await api.getPayment(payment.paymentId))!.status).toBe("refunded");
  });
});
