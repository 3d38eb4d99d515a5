import { afterEach, describe, expect, it } from "vitest";
import { BillingApi } from "../../src/contexts/billing/api.js";
import { debitWallet } from "../../src/contexts/billing/wallet/debit-wallet.js";
import { call, onPostgres, startTestApp, type TestApp } from "../support/test-app.js";
import { billingEvents, count } from "./billing-support.js";
import { SYSTEM_SCOPE } from "../../src/platform/db/db.js";

let t: TestApp | undefined;
afterEach(async () => {
  await t?.stop();
  t = undefined;
});

const TENANT = "ten_acme";
const LEARNER = "usr_learner";

async function setup() {
  t = await startTestApp();
  const admin = await t.token({ sub: "usr_admin", tid: TENANT, roles: ["org_admin"] });
  return { t, api: new BillingApi(t.app.kernel), admin };
}

let keys = 0;
async function credit(
  t: TestApp,
  token: string,
  bucket: string,
  amount: number,
  headers: Record<string, string> = { "idempotency-key": `credit-${++keys}` },
) {
  return call(t.app, "POST", `/api/v1/wallets/${LEARNER}/credits`, { token, body: { bucket, amount, currency: "USD" }, headers });
}

async function balances(t: TestApp) {
  const token = await t.token({ sub: LEARNER, tid: TENANT, roles: ["learner"] });
  const read = await call(t.app, "GET", `/api/v1/wallets/${LEARNER}`, { token });
  return read.body.wallets.find((w: any) => w.currency === "USD")?.balances ?? { promo: 0, branded: 0, general: 0 };
}

const walletPayment = (orderId: string, amount: number) => ({
  orderId,
  buyerUserId: LEARNER,
  tenantId: TENANT,
  amount,
  currency: "USD",
  method: { method: "wallet" as const },
  correlationId: orderId,
  idempotencyKey: `idem_${orderId}`,
});

describe("learner-credit wallet", () => {
  it("credits a bucket once per Idempotency-Key and announces the credit", async () => {
    const { t, admin } = await setup();
    const first = await credit(t, admin, "promo", 200, { "idempotency-key": "grant-1" });
    const replay = await credit(t, admin, "promo", 200, { "idempotency-key": "grant-1" });
    expect(first).toMatchObject({ status: 201, body: { bucket: "promo", amount: 200, balanceAfter: 200 } });
    expect(replay.body.transactionId).toBe(first.body.transactionId);
    expect(await balances(t)).toEqual({ promo: 200, branded: 0, general: 0 });
    const credited = await billingEvents(t, { type: "billing.wallet.credited.v1" });
    expect(credited).toHaveLength(1);
    expect(credited[0]).toMatchObject({
      partitionKey: LEARNER,
      payload: { transactionId: first.body.transactionId, userId: LEARNER, bucket: "promo", amount: 200, currency: "USD" },
    });
  });

  it("refuses a credit without an Idempotency-Key, and credits nothing", async () => {
    const { t, admin } = await setup();
    const refused = await credit(t, admin, "promo", 200, {});
    expect(refused).toMatchObject({ status: 400, body: { code: "IDEMPOTENCY.KEY_REQUIRED" } });
    expect(await balances(t)).toEqual({ promo: 0, branded: 0, general: 0 });
  });

  it("lets only admins credit, and only the owner, an org_admin of the tenant or a platform_admin read", async () => {
    const { t } = await setup();
    const learner = await t.token({ sub: LEARNER, tid: TENANT, roles: ["learner"] });
    const stranger = await t.token({ sub: "usr_other", tid: TENANT, roles: ["learner"] });
    const otherAdmin = await t.token({ sub: "usr_x", tid: "ten_other", roles: ["org_admin"] });
    const platform = await t.token({ sub: "usr_root", tid: "ten_platform", roles: ["platform_admin"] });
    expect((await credit(t, learner, "general", 100)).status).toBe(403);
    const granted = await call(t.app, "POST", `/api/v1/wallets/${LEARNER}/credits`, {
      token: platform,
      body: { bucket: "general", amount: 100, currency: "USD", tenantId: TENANT },
      headers: { "idempotency-key": "grant-platform" },
    });
    expect(granted.status).toBe(201);
    expect((await call(t.app, "GET", `/api/v1/wallets/${LEARNER}`, { token: stranger })).status).toBe(403);
    expect((await call(t.app, "GET", `/api/v1/wallets/${LEARNER}`, { token: otherAdmin })).body.wallets).toEqual([]);
    expect((await call(t.app, "GET", `/api/v1/wallets/${LEARNER}`, { token: platform })).body.wallets).toEqual([
      { tenantId: TENANT, currency: "USD", balances: { promo: 0, branded: 0, general: 100 }, total: 100 },
    ]);
  });

  it("pays promo → branded → general in one transaction with one debit event per bucket touched", async () => {
    const { t, api, admin } = await setup();
    await credit(t, admin, "promo", 200);
    await credit(t, admin, "branded", 150);
    await credit(t, admin, "general", 500);
    const payment = await api.processPayment(walletPayment("ord_w1", 450));
    expect(payment).toMatchObject({ status: "succeeded", method: "wallet", provider: "wallet" });
    expect(payment.walletBreakdown!.map(({ bucket, amount }) => ({ bucket, amount }))).toEqual([
      { bucket: "promo", amount: 200 },
      { bucket: "branded", amount: 150 },
      { bucket: "general", amount: 100 },
    ]);
    expect(await balances(t)).toEqual({ promo: 0, branded: 0, general: 400 });

    const debited = await billingEvents(t, { type: "billing.wallet.debited.v1" });
    expect(debited.map((e) => e.payload)).toEqual([
      {
        transactionId: payment.walletBreakdown![0]!.transactionId,
        userId: LEARNER,
        transactionType: "debit_order_payment",
        bucket: "promo",
        amount: 200,
        balanceBefore: 200,
        balanceAfter: 0,
        relatedEntity: { type: "order", id: "ord_w1" },
        currency: "USD",
      },
      {
        transactionId: payment.walletBreakdown![1]!.transactionId,
        userId: LEARNER,
        transactionType: "debit_order_payment",
        bucket: "branded",
        amount: 150,
        balanceBefore: 150,
        balanceAfter: 0,
        relatedEntity: { type: "order", id: "ord_w1" },
        currency: "USD",
      },
      {
        transactionId: payment.walletBreakdown![2]!.transactionId,
        userId: LEARNER,
        transactionType: "debit_order_payment",
        bucket: "general",
        amount: 100,
        balanceBefore: 500,
        balanceAfter: 400,
        relatedEntity: { type: "order", id: "ord_w1" },
        currency: "USD",
      },
    ]);
    expect(debited.every((e) => e.partitionKey === LEARNER && e.correlationId === "ord_w1")).toBe(true);
    const succeeded = await billingEvents(t, { type: "billing.payment.succeeded.v1", correlationId: "ord_w1" });
    expect(succeeded[0]!.payload).toMatchObject({ paymentId: payment.paymentId, amount: 450, method: "wallet", provider: "wallet" });
  });

  it("takes nothing when the wallet is short, and says so with debit_failed and payment.failed", async () => {
    const { t, api, admin } = await setup();
    await credit(t, admin, "promo", 100);
    await credit(t, admin, "general", 200);
    const payment = await api.processPayment(walletPayment("ord_short", 450));
    expect(payment).toMatchObject({ status: "failed", failureCode: "WALLET_INSUFFICIENT_BALANCE" });
    expect(await balances(t)).toEqual({ promo: 100, branded: 0, general: 200 });
    expect(await count(t, `SELECT count(*) AS n FROM billing.wallet_transactions WHERE kind = 'debit'`)).toBe(0);
    const events = await billingEvents(t, { correlationId: "ord_short" });
    expect(events.map((e) => e.type)).toEqual(["billing.wallet.debit_failed.v1", "billing.payment.failed.v1"]);
    expect(events[0]!.payload).toEqual({
      userId: LEARNER,
      transactionType: "debit_order_payment",
      amountRequired: 450,
      amountAvailable: 300,
      failureReason: "WALLET_INSUFFICIENT_BALANCE",
      relatedOrderId: "ord_short",
    });
    expect(events[1]!.payload).toMatchObject({
      paymentId: payment.paymentId,
      orderId: "ord_short",
      failureCode: "WALLET_INSUFFICIENT_BALANCE",
    });
  });

  it("debits once when the same idempotency key comes twice, even after the balance changed", async () => {
    const { t, admin } = await setup();
    await credit(t, admin, "general", 300);
    const kernel = t.app.kernel;
    const debit = () =>
      kernel.db.tx(
        (tx) =>
          debitWallet(kernel, tx, {
            tenantId: TENANT,
            userId: LEARNER,
            currency: "USD",
            amount: 250,
            orderId: "ord_k",
            idempotencyKey: "debit-ord_k",
            transactionType: "debit_order_payment",
            context: { correlationId: "ord_k" },
          }),
        { tenantId: TENANT },
      );
    const first = await debit();
    const second = await debit();
    expect(first).toMatchObject({ outcome: "applied", replayed: false });
    expect(second).toMatchObject({ outcome: "applied", replayed: true, breakdown: first.outcome === "applied" ? first.breakdown : [] });
    expect(await balances(t)).toEqual({ promo: 0, branded: 0, general: 50 });
    expect(await billingEvents(t, { type: "billing.wallet.debited.v1" })).toHaveLength(1);
  });

  it("a refund credits back exactly the buckets the payment came from", async () => {
    const { t, api, admin } = await setup();
    await credit(t, admin, "promo", 200);
    await credit(t, admin, "branded", 100);
    await credit(t, admin, "general", 1000);
    const payment = await api.processPayment(walletPayment("ord_r", 450));
    const debits = payment.walletBreakdown!;
    const refund = await api.refundPayment({
      orderId: "ord_r",
      paymentId: payment.paymentId,
      amount: 450,
      reason: "order_failed",
      correlationId: "ord_r",
    });
    const replay = await api.refundPayment({
      orderId: "ord_r",
      paymentId: payment.paymentId,
      amount: 450,
      reason: "order_failed",
      correlationId: "ord_r",
    });
    expect(refund).toMatchObject({ status: "succeeded", amount: 450 });
    expect(replay).toMatchObject({ refundId: refund.refundId, replayed: true });
    expect(await balances(t)).toEqual({ promo: 200, branded: 100, general: 1000 });

    const refunded = await billingEvents(t, { type: "billing.wallet.refunded.v1" });
    expect(refunded).toHaveLength(1);
    const payload = refunded[0]!.payload;
    expect(payload).toMatchObject({
      userId: LEARNER,
      refundReason: "order_failed",
      originalOrderId: "ord_r",
      originalTransactionIds: debits.map((d) => d.transactionId),
      refundBreakdown: [
        { bucket: "promo", amount: 200 },
        { bucket: "branded", amount: 100 },
        { bucket: "general", amount: 150 },
      ],
      totalRefunded: 450,
    });
    expect(payload.refundTransactionIds).toHaveLength(3);
    expect(await api.getPayment(payment.paymentId)).toMatchObject({ status: "refunded", refundedAmount: 450 });
    expect((await billingEvents(t, { type: "billing.payment.refunded.v1", correlationId: "ord_r" }))[0]!.payload).toMatchObject({
      refundId: refund.refundId,
      amount: 450,
    });
  });

  it("keeps the ledger immutable: the app role cannot update or delete a transaction", async () => {
    const { t, admin } = await setup();
    await credit(t, admin, "general", 10);
    await expect(
      t.app.kernel.db.tx((tx) => tx.query(`UPDATE billing.wallet_transactions SET amount = 1`), { tenantId: SYSTEM_SCOPE }),
    ).rejects.toThrow(/permission denied/);
    await expect(
      t.app.kernel.db.tx((tx) => tx.query(`DELETE FROM billing.wallet_transactions`), { tenantId: SYSTEM_SCOPE }),
    ).rejects.toThrow(/permission denied/);
  });

  it.runIf(onPostgres)("never goes negative under 50 concurrent wallet payments, and the books balance", async () => {
    const { t, api, admin } = await setup();
    await credit(t, admin, "promo", 300);
    await credit(t, admin, "branded", 300);
    await credit(t, admin, "general", 400);
    const start = 1000;
    const results = await Promise.all(Array.from({ length: 50 }, (_, i) => api.processPayment(walletPayment(`ord_c${i}`, 30 + (i % 7)))));
    const succeeded = results.filter((r) => r.status === "succeeded");
    const failed = results.filter((r) => r.status === "failed");
    expect(succeeded.length + failed.length).toBe(50);
    expect(failed.every((r) => r.failureCode === "WALLET_INSUFFICIENT_BALANCE")).toBe(true);
    const final = await balances(t);
    expect(Object.values(final).every((b) => (b as number) >= 0)).toBe(true);
    const finalTotal = final.promo + final.branded + final.general;
    const debited = await count(t, `SELECT COALESCE(SUM(amount), 0) AS n FROM billing.wallet_transactions WHERE kind = 'debit'`);
    expect(debited).toBe(start - finalTotal);
    expect(succeeded.reduce((sum, r) => sum + r.amount, 0)).toBe(debited);
    // Once the wallet could no longer pay the smallest order, nothing was left unspent by a race.
    expect(finalTotal).toBeLessThan(30 + 6);
  });
});
