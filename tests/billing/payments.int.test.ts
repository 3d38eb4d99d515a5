import { afterEach, describe, expect, it } from "vitest";
import { BillingApi } from "../../src/contexts/billing/billing-api.js";
import { PaymentProviders } from "../../src/contexts/billing/payments/payment-providers.js";
import { SandboxProvider } from "../../src/contexts/billing/payments/sandbox-provider.js";
import { loadBillingSettings } from "../../src/contexts/billing/settings.js";
import { call, onPostgres, startTestApp, type TestApp } from "../support/test-app.js";
import { billingEvents, count } from "./billing-support.js";
import { SYSTEM_SCOPE } from "../../src/platform/db/db.js";
import { markMinted } from "../../src/platform/ids.js";

let t: TestApp | undefined;
afterEach(async () => {
  await t?.stop();
  t = undefined;
});

async function setup() {
  t = await startTestApp();
  return { t, api: new BillingApi(t.app.kernel) };
}

let n = 0;
const pay = (token: string, over: Record<string, unknown> = {}) => {
  const orderId = `ord_${token}_${n++}`;
  return {
    orderId,
    buyerUserId: "usr_buyer",
    tenantId: "ten_1",
    amount: 4900,
    currency: "USD",
    method: { method: "card" as const, token },
    correlationId: orderId,
    idempotencyKey: `idem_${orderId}`,
    ...over,
  };
};

describe("card payments with the sandbox provider", () => {
  it("tok_visa succeeds at once, and the success event is committed with the intent", async () => {
    const { t, api } = await setup();
    const input = pay("tok_visa");
    const payment = await api.processPayment(input);
    expect(payment).toMatchObject({
      orderId: input.orderId,
      status: "succeeded",
      amount: 4900,
      currency: "USD",
      method: "card",
      provider: "sandbox",
    });
    expect(payment.paymentId).toMatch(/^pay_/);
    const events = await billingEvents(t, { correlationId: input.orderId });
    expect(events).toEqual([
      {
        type: "billing.payment.succeeded.v1",
        correlationId: input.orderId,
        partitionKey: input.orderId,
        tenantId: "ten_1",
        payload: {
          paymentId: payment.paymentId,
          orderId: input.orderId,
          amount: 4900,
          currency: "USD",
          method: "card",
          provider: "sandbox",
        },
      },
    ]);
  });

  it("tok_declined fails with card_declined", async () => {
    const { t, api } = await setup();
    const input = pay("tok_declined");
    const payment = await api.processPayment(input);
    expect(payment).toMatchObject({ status: "failed", failureCode: "card_declined" });
    const events = await billingEvents(t, { correlationId: input.orderId });
    expect(events.map((e) => e.type)).toEqual(["billing.payment.failed.v1"]);
    expect(events[0]!.payload).toMatchObject({ paymentId: payment.paymentId, orderId: input.orderId, failureCode: "card_declined" });
    expect(Object.keys(events[0]!.payload).sort()).toEqual(["failureCode", "failureMessage", "orderId", "paymentId"]);
  });

  it("an unknown token fails with invalid_token", async () => {
    const { api } = await setup();
    expect(await api.processPayment(pay("tok_nonsense"))).toMatchObject({ status: "failed", failureCode: "invalid_token" });
  });

  it("tok_timeout never answers: the intent stays processing and no outcome event is written", async () => {
    const { t, api } = await setup();
    const input = pay("tok_timeout");
    expect(await api.processPayment(input)).toMatchObject({ status: "processing" });
    t.clock.advance(24 * 3600_000);
    await api.checkDuePayments();
    expect((await api.getPayment((await api.processPayment(input)).paymentId))!.status).toBe("processing");
    expect(await billingEvents(t, { correlationId: input.orderId })).toEqual([]);
  });

  it("tok_delayed succeeds only once the clock passes the due time and the poller runs", async () => {
    const { t, api } = await setup();
    const input = pay("tok_delayed");
    const first = await api.processPayment(input);
    expect(first.status).toBe("processing");

    t.clock.advance(2_999);
    await api.checkDuePayments();
    expect((await api.getPayment(first.paymentId))!.status).toBe("processing");
    expect(await billingEvents(t, { correlationId: input.orderId })).toEqual([]);

    t.clock.advance(1);
    // The module's own poller (BILLING_POLL_MS) picks the due row up; no test call needed.
    await expect.poll(async () => (await api.getPayment(first.paymentId))!.status, { timeout: 5_000 }).toBe("succeeded");
    const events = await billingEvents(t, { correlationId: input.orderId });
    expect(events.map((e) => e.type)).toEqual(["billing.payment.succeeded.v1"]);
    expect(await count(t, `SELECT count(*) AS n FROM billing.payment_deadlines`)).toBe(0);
    await api.checkDuePayments();
    expect(await billingEvents(t, { correlationId: input.orderId })).toHaveLength(1);
  });
});

describe("asking a provider where a payment stands", () => {
  it("holds no transaction open while the provider answers, so the payment stays free to update", async () => {
    t = await startTestApp({ workers: false });
    let answer: () => void = () => {};
    let asked: () => void = () => {};
    const askedNow = new Promise<void>((resolve) => (asked = resolve));
    const sandbox = new SandboxProvider();
    const slow = Object.assign(Object.create(sandbox) as SandboxProvider, {
      async retrieve() {
        asked();
        await new Promise<void>((resolve) => (answer = resolve));
        return sandbox.retrieve();
      },
    });
    const api = new BillingApi(t.app.kernel, { providers: new PaymentProviders(slow), taxRates: loadBillingSettings().taxRates });
    const input = pay("tok_delayed");
    const payment = await api.processPayment(input);
    t.clock.advance(3_000);
    const pass = api.checkDuePayments();
    await askedNow;
    // While the provider is still answering, another transaction takes the payment's row (PGlite:
    // any transaction at all). It could not if the pass held its claim open across the call.
    const locked = t.app.kernel.db.tx(
      (tx) => tx.query(`SELECT 1 FROM billing.payment_intents WHERE payment_id = $1 FOR UPDATE NOWAIT`, [payment.paymentId]),
      { tenantId: SYSTEM_SCOPE },
    );
    const outcome = await Promise.race([
      locked.then(
        () => "free",
        () => "locked",
      ),
      new Promise((resolve) => setTimeout(() => resolve("waiting"), 2_000)),
    ]);
    answer();
    await pass;
    expect(outcome).toBe("free");
    expect((await api.getPayment(payment.paymentId))!.status).toBe("succeeded");
    expect((await billingEvents(t, { correlationId: input.orderId })).map((e) => e.type)).toEqual(["billing.payment.succeeded.v1"]);
    expect(await count(t, `SELECT count(*) AS n FROM billing.payment_deadlines`)).toBe(0);
  });

  it("asks again later when the provider cannot be reached", async () => {
    t = await startTestApp({ workers: false });
    const sandbox = new SandboxProvider();
    let failures = 1;
    const flaky = Object.assign(Object.create(sandbox) as SandboxProvider, {
      async retrieve() {
        if (failures-- > 0) throw new Error("provider unreachable");
        return sandbox.retrieve();
      },
    });
    const api = new BillingApi(t.app.kernel, { providers: new PaymentProviders(flaky), taxRates: loadBillingSettings().taxRates });
    const payment = await api.processPayment(pay("tok_delayed"));
    t.clock.advance(3_000);
    await api.checkDuePayments();
    expect((await api.getPayment(payment.paymentId))!.status).toBe("processing");
    expect(await api.checkDuePayments()).toBe(0); // not due again before its retry time
    t.clock.advance(30_000);
    await api.checkDuePayments();
    expect((await api.getPayment(payment.paymentId))!.status).toBe("succeeded");
  });
});

describe("one payment per order", () => {
  it("a second call for the same order returns the same intent and never charges twice", async () => {
    const { t, api } = await setup();
    const input = pay("tok_visa");
    const first = await api.processPayment(input);
    const second = await api.processPayment({ ...input, idempotencyKey: "another-key" });
    expect(second.paymentId).toBe(first.paymentId);
    expect(await count(t, `SELECT count(*) AS n FROM billing.payment_intents WHERE order_id = $1`, [input.orderId])).toBe(1);
    expect(await billingEvents(t, { type: "billing.payment.succeeded.v1", correlationId: input.orderId })).toHaveLength(1);
  });

  it("never asks an external card provider when a new order's sent claim fails", async () => {
    t = await startTestApp();
    const asked: string[] = [];
    const external = Object.assign(new SandboxProvider(), { name: "external", external: true });
    external.createIntent = async (request) => (asked.push(request.orderId), { providerRef: `ext_${request.paymentId}` });
    const api = new BillingApi(t.app.kernel, { providers: new PaymentProviders(external), taxRates: loadBillingSettings().taxRates });
    const input = pay("tok_visa");
    await api.processPayment(input); // the order already has its intent
    asked.length = 0;
    const again = t.app.kernel.db.tx((tx) => (markMinted(tx, input.orderId), api.processPaymentIn(tx, input)), {
      tenantId: input.tenantId,
    });
    await expect(again).rejects.toMatchObject({ code: "23505" });
    expect(asked).toEqual([]);
    expect(await count(t, `SELECT count(*) AS n FROM billing.payment_intents WHERE order_id = $1`, [input.orderId])).toBe(1);
  });

  it("refuses a second call for the same order with another amount", async () => {
    const { api } = await setup();
    const input = pay("tok_visa");
    await api.processPayment(input);
    await expect(api.processPayment({ ...input, amount: 1 })).rejects.toMatchObject({
      rejection: { code: "BILLING.PAYMENT_ORDER_MISMATCH" },
    });
  });

  it.runIf(onPostgres)("creates one intent when the same order is paid ten times at the same moment", async () => {
    const { t, api } = await setup();
    const input = pay("tok_visa");
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => api.processPayment({ ...input, idempotencyKey: `k${i}` })));
    expect(new Set(results.map((r) => r.paymentId)).size).toBe(1);
    expect(results.every((r) => r.status === "succeeded")).toBe(true);
    expect(await count(t, `SELECT count(*) AS n FROM billing.payment_intents WHERE order_id = $1`, [input.orderId])).toBe(1);
    expect(await billingEvents(t, { type: "billing.payment.succeeded.v1", correlationId: input.orderId })).toHaveLength(1);
  });
});

describe("refunds of card payments", () => {
  it("refunds in parts, once per refund key, and announces each refund", async () => {
    const { t, api } = await setup();
    const input = pay("tok_visa");
    const payment = await api.processPayment(input);
    const base = { orderId: input.orderId, paymentId: payment.paymentId, correlationId: input.orderId };
    const part = await api.refundPayment({ ...base, amount: 900, reason: "goodwill" });
    const again = await api.refundPayment({ ...base, amount: 900, reason: "goodwill" });
    expect(again).toMatchObject({ refundId: part.refundId, replayed: true });
    expect(part).toMatchObject({ status: "succeeded", amount: 900, currency: "USD" });
    await expect(api.refundPayment({ ...base, amount: 4001, reason: "customer_request" })).rejects.toMatchObject({
      rejection: { code: "BILLING.REFUND_EXCEEDS_PAYMENT" },
    });
    await api.refundPayment({ ...base, amount: 4000, reason: "customer_request" });
    expect(await api.getPayment(payment.paymentId)).toMatchObject({ status: "refunded", refundedAmount: 4900 });
    const refunded = await billingEvents(t, { type: "billing.payment.refunded.v1", correlationId: input.orderId });
    expect(refunded.map((e) => e.payload.amount)).toEqual([900, 4000]);
    expect(refunded[0]!.payload).toEqual({
      paymentId: payment.paymentId,
      orderId: input.orderId,
      refundId: part.refundId,
      amount: 900,
      currency: "USD",
    });
  });

  it("refuses to refund a payment that failed", async () => {
    const { api } = await setup();
    const input = pay("tok_declined");
    const payment = await api.processPayment(input);
    await expect(
      api.refundPayment({ orderId: input.orderId, paymentId: payment.paymentId, amount: 1, reason: "x", correlationId: input.orderId }),
    ).rejects.toMatchObject({
      rejection: { code: "BILLING.PAYMENT_NOT_REFUNDABLE" },
    });
  });
});

describe("POST /api/v1/payments/process", () => {
  const body = (orderId: string, token = "tok_visa") => ({
    orderId,
    buyerUserId: "usr_buyer",
    tenantId: "ten_1",
    amount: 4900,
    currency: "USD",
    method: { method: "card", token },
  });

  it("pays for an order as the service role and replays the first response for the same key", async () => {
    const { t } = await setup();
    const token = await t.token({ sub: "svc_marketplace", tid: "ten_platform", roles: ["service"] });
    const first = await call(t.app, "POST", "/api/v1/payments/process", {
      token,
      body: body("ord_http_1"),
      headers: { "idempotency-key": "k-1" },
    });
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ orderId: "ord_http_1", status: "succeeded" });
    const replay = await call(t.app, "POST", "/api/v1/payments/process", {
      token,
      body: body("ord_http_1"),
      headers: { "idempotency-key": "k-1" },
    });
    expect(replay).toMatchObject({ status: 201, body: { paymentId: first.body.paymentId } });
    const otherKey = await call(t.app, "POST", "/api/v1/payments/process", {
      token,
      body: body("ord_http_1"),
      headers: { "idempotency-key": "k-2" },
    });
    expect(otherKey).toMatchObject({ status: 200, body: { paymentId: first.body.paymentId } });

    const read = await call(t.app, "GET", `/api/v1/payments/${first.body.paymentId}`, { token });
    expect(read).toMatchObject({ status: 200, body: { paymentId: first.body.paymentId, status: "succeeded" } });
  });

  it("requires an Idempotency-Key, the service role, and integer minor units", async () => {
    const { t } = await setup();
    const service = await t.token({ sub: "svc", tid: "ten_platform", roles: ["service"] });
    const learner = await t.token({ sub: "usr_buyer", tid: "ten_1", roles: ["learner"] });
    expect((await call(t.app, "POST", "/api/v1/payments/process", { token: service, body: body("ord_http_2") })).body.code).toBe(
      "IDEMPOTENCY.KEY_REQUIRED",
    );
    expect(
      (
        await call(t.app, "POST", "/api/v1/payments/process", {
          token: learner,
          body: body("ord_http_2"),
          headers: { "idempotency-key": "k" },
        })
      ).status,
    ).toBe(403);
    const fractional = await call(t.app, "POST", "/api/v1/payments/process", {
      token: service,
      body: { ...body("ord_http_2"), amount: 49.5 },
      headers: { "idempotency-key": "k" },
    });
    expect(fractional).toMatchObject({ status: 400, body: { code: "REQUEST.VALIDATION_FAILED" } });
    expect(await count(t, `SELECT count(*) AS n FROM billing.payment_intents`)).toBe(0);
    expect((await call(t.app, "GET", `/api/v1/payments/pay_missing`, { token: service })).body.code).toBe("BILLING.PAYMENT_NOT_FOUND");
  });
});

describe("tax reference", () => {
  it("computes from the configured table", async () => {
    const { api } = await setup();
    expect(api.computeTax({ country: "DE", amount: 10_000, currency: "EUR", inclusive: false })).toMatchObject({
      taxAmount: 1900,
      grossAmount: 11_900,
    });
  });
});
