import { afterEach, describe, expect, it } from "vitest";
import { BillingApi } from "../../src/contexts/billing/api.js";
import { leaseRefundSubmission } from "../../src/contexts/billing/payments/payment-intents.sql.js";
import { PaymentProviders } from "../../src/contexts/billing/payments/payment-providers.js";
import type { PaymentProvider } from "../../src/contexts/billing/payments/payment-provider.js";
import { loadBillingSettings } from "../../src/contexts/billing/settings.js";
import { startTestApp, type TestApp } from "../support/test-app.js";
import { billingEvents, count } from "./billing-support.js";
import { useFakeStripe } from "./fake-stripe.js";
import { paidByStripe, workerOverADay } from "./stripe-submission-support.js";
import { SYSTEM_SCOPE } from "../../src/platform/db/db.js";

// A refund's submission to Stripe; a payment's is in stripe-submission.int.test.ts.
const WEBHOOK_SECRET = "whsec_test_submission";
const fake = useFakeStripe(WEBHOOK_SECRET);
let t: TestApp | undefined;

afterEach(async () => {
  await t?.stop();
  t = undefined;
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
    expect(await workerOverADay(t, api, () => calls)).toEqual([2, 3, 3]); // asked again until 23 h, then no more
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
