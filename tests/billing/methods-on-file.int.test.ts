import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BillingApi, type ChargeMethodOnFileInput, type PaymentMethodInput } from "../../src/contexts/billing/api.js";
import type { PaymentProvider } from "../../src/contexts/billing/payments/payment-provider.js";
import { PaymentProviders } from "../../src/contexts/billing/payments/payment-providers.js";
import type { Tx } from "../../src/platform/db/db.js";
import { call, onPostgres, startTestApp, type TestApp } from "../support/test-app.js";
import { billingEvents, count } from "./billing-support.js";

/**
 * A method kept on file by the purchase of an order that renews, then charged without the buyer
 * (issue 20's renewals), through the API the marketplace's port adapter calls. Both engines.
 */
const TENANT = "ten_mof";
const BUYER = "usr_mof_buyer";

let t: TestApp;
let api: BillingApi;
beforeAll(async () => {
  t = await startTestApp();
  api = t.app.contexts.billing.api;
});
afterAll(() => t?.stop());

let n = 0;
const ref = (what: string) => `${what}_${n++}`;
const inTenant = <R>(work: (tx: Tx) => Promise<R>) => t.app.kernel.db.tx(work, { tenantId: TENANT });

/** A purchase that keeps its method on file under the returned owner ref. */
async function purchase(method: PaymentMethodInput, amount = 4900) {
  const orderId = ref("ord_mof");
  const payment = await api.processPayment({
    orderId,
    buyerUserId: BUYER,
    tenantId: TENANT,
    amount,
    currency: "USD",
    method,
    correlationId: orderId,
    idempotencyKey: `idem_${orderId}`,
    keepOnFile: orderId,
  });
  return { ownerRef: orderId, payment };
}

const charge = (ownerRef: string, chargeRef = ref("chg_mof"), over: Partial<ChargeMethodOnFileInput> = {}) =>
  inTenant((tx) =>
    api.chargeMethodOnFileIn(tx, {
      ownerRef,
      chargeRef,
      tenantId: TENANT,
      buyerUserId: BUYER,
      amount: 4900,
      currency: "USD",
      correlationId: chargeRef,
      ...over,
    }),
  );
const onFile = (ownerRef: string) => inTenant((tx) => api.methodOnFileIn(tx, ownerRef));

describe("a payment method on file", () => {
  it("is kept by the purchase that asks for it, counted as charged once, and its token is never shown", async () => {
    const { ownerRef, payment } = await purchase({ method: "card", token: "tok_visa" });
    expect(payment.status).toBe("succeeded");
    expect(await onFile(ownerRef)).toEqual({ method: "card", provider: "sandbox", charges: 1 });
    // A purchase that does not renew keeps nothing.
    const plain = ref("ord_plain");
    await api.processPayment({
      orderId: plain,
      buyerUserId: BUYER,
      tenantId: TENANT,
      amount: 4900,
      currency: "USD",
      method: { method: "card", token: "tok_visa" },
      correlationId: plain,
      idempotencyKey: `idem_${plain}`,
    });
    expect(await onFile(plain)).toBeNull();
  });

  it("is charged off-session once per charge reference: two references, two payments; one reference twice, one payment", async () => {
    const { ownerRef } = await purchase({ method: "card", token: "tok_visa" });
    const first = await charge(ownerRef);
    const second = await charge(ownerRef);
    expect([first.status, second.status]).toEqual(["succeeded", "succeeded"]);
    expect(first.paymentId).not.toBe(second.paymentId);
    const chargeRef = ref("chg_once");
    const once = await charge(ownerRef, chargeRef);
    const again = await charge(ownerRef, chargeRef);
    expect(again).toEqual(once);
    expect(await count(t, `SELECT count(*) AS n FROM billing.payment_intents WHERE order_id = $1`, [chargeRef])).toBe(1);
    const events = await billingEvents(t, { correlationId: chargeRef });
    expect(events.map((event) => [event.type, event.payload.orderId, event.tenantId])).toEqual([
      ["billing.payment.succeeded.v1", chargeRef, TENANT],
    ]);
    // The purchase, then three charges: the repeated call counted nothing.
    expect(await onFile(ownerRef)).toMatchObject({ charges: 4 });
  });

  it("tok_decline_after_first pays the purchase and declines the renewal; a replaced card pays the next one", async () => {
    const { ownerRef, payment } = await purchase({ method: "card", token: "tok_decline_after_first" });
    expect(payment.status).toBe("succeeded");
    const renewal = await charge(ownerRef);
    expect(renewal).toMatchObject({ status: "failed", failureCode: "card_declined" });
    expect((await billingEvents(t, { correlationId: renewal.orderId })).map((event) => event.type)).toEqual(["billing.payment.failed.v1"]);
    const replaced = await inTenant((tx) =>
      api.keepMethodOnFileIn(tx, { ownerRef, tenantId: TENANT, buyerUserId: BUYER, method: { method: "card", token: "tok_visa" } }),
    );
    expect(replaced).toEqual({ method: "card", provider: "sandbox", charges: 0 });
    expect(await charge(ownerRef)).toMatchObject({ status: "succeeded" });
    expect(await onFile(ownerRef)).toMatchObject({ charges: 1 });
  });

  it("a wallet on file is charged from the buyer's wallet", async () => {
    const admin = await t.token({ sub: "usr_mof_admin", tid: TENANT, roles: ["org_admin"] });
    const credited = await call(t.app, "POST", `/api/v1/wallets/${BUYER}/credits`, {
      token: admin,
      body: { bucket: "general", amount: 10_000, currency: "USD" },
      headers: { "idempotency-key": "mof-credit-1" },
    });
    expect(credited.status, JSON.stringify(credited.body)).toBe(201);
    const { ownerRef, payment } = await purchase({ method: "wallet" }, 3000);
    expect(payment).toMatchObject({ status: "succeeded", method: "wallet" });
    expect(await onFile(ownerRef)).toEqual({ method: "wallet", provider: "wallet", charges: 1 });
    const renewal = await charge(ownerRef, ref("chg_wallet"), { amount: 3000 });
    expect(renewal).toMatchObject({ status: "succeeded", method: "wallet", provider: "wallet" });
    expect(renewal.walletBreakdown!.map(({ bucket, amount }) => ({ bucket, amount }))).toEqual([{ bucket: "general", amount: 3000 }]);
    const short = await charge(ownerRef, ref("chg_wallet"), { amount: 5000 });
    expect(short).toMatchObject({ status: "failed", failureCode: "WALLET_INSUFFICIENT_BALANCE" });
    expect(short.walletShortfall).toEqual({ amountRequired: 5000, amountAvailable: 4000 });
  });

  it("refuses a charge with nothing on file, or with another buyer's method, and charges nothing", async () => {
    const chargeRef = ref("chg_none");
    await expect(charge(ref("ord_none"), chargeRef)).rejects.toMatchObject({ rejection: { code: "BILLING.NO_METHOD_ON_FILE" } });
    const { ownerRef } = await purchase({ method: "card", token: "tok_visa" });
    await expect(charge(ownerRef, chargeRef, { buyerUserId: "usr_someone_else" })).rejects.toMatchObject({
      rejection: { code: "BILLING.NO_METHOD_ON_FILE" },
    });
    expect(await count(t, `SELECT count(*) AS n FROM billing.payment_intents WHERE order_id = $1`, [chargeRef])).toBe(0);
    // Nor may another buyer put their card under this ref.
    await expect(
      inTenant((tx) =>
        api.keepMethodOnFileIn(tx, {
          ownerRef,
          tenantId: TENANT,
          buyerUserId: "usr_someone_else",
          method: { method: "card", token: "tok_visa" },
        }),
      ),
    ).rejects.toMatchObject({ rejection: { code: "BILLING.METHOD_OWNER_CONFLICT" } });
    expect(await onFile(ownerRef)).toEqual({ method: "card", provider: "sandbox", charges: 1 });
  });

  it("is seen only in its own tenant's scope", async () => {
    const { ownerRef } = await purchase({ method: "card", token: "tok_visa" });
    expect(await t.app.kernel.db.tx((tx) => api.methodOnFileIn(tx, ownerRef), { tenantId: "ten_mof_other" })).toBeNull();
  });

  it("refuses an off-session card charge with an external provider that cannot charge without the buyer, and charges nothing", async () => {
    const unreachable = () => Promise.reject(new Error("no provider call is expected"));
    const stripe: PaymentProvider = {
      name: "stripe",
      external: true,
      createIntent: unreachable,
      confirm: unreachable,
      retrieve: unreachable,
      refund: unreachable,
    };
    const withStripe = new BillingApi(t.app.kernel, { providers: new PaymentProviders(stripe), taxRates: {} as never });
    const ownerRef = ref("ord_stripe");
    const kept = await inTenant((tx) =>
      withStripe.keepMethodOnFileIn(tx, {
        ownerRef,
        tenantId: TENANT,
        buyerUserId: BUYER,
        method: { method: "card", token: "pm_card_visa" },
      }),
    );
    expect(kept).toEqual({ method: "card", provider: "stripe", charges: 0 });
    const chargeRef = ref("chg_stripe");
    const refused = inTenant((tx) =>
      withStripe.chargeMethodOnFileIn(tx, {
        ownerRef,
        chargeRef,
        tenantId: TENANT,
        buyerUserId: BUYER,
        amount: 4900,
        currency: "USD",
        correlationId: chargeRef,
      }),
    );
    await expect(refused).rejects.toMatchObject({ rejection: { code: "BILLING.OFF_SESSION_UNSUPPORTED" } });
    expect(await count(t, `SELECT count(*) AS n FROM billing.payment_intents WHERE order_id = $1`, [chargeRef])).toBe(0);
  });

  it.runIf(onPostgres)(
    "counts every one of concurrent charges, and makes one payment for a reference charged ten times at once",
    async () => {
      const { ownerRef } = await purchase({ method: "card", token: "tok_visa" });
      const distinct = await Promise.all(Array.from({ length: 10 }, () => charge(ownerRef)));
      expect(new Set(distinct.map((payment) => payment.paymentId)).size).toBe(10);
      const chargeRef = ref("chg_race");
      const same = await Promise.all(Array.from({ length: 10 }, () => charge(ownerRef, chargeRef)));
      expect(new Set(same.map((payment) => payment.paymentId)).size).toBe(1);
      expect(await billingEvents(t, { correlationId: chargeRef })).toHaveLength(1);
      expect(await onFile(ownerRef)).toMatchObject({ charges: 12 });
    },
  );
});
