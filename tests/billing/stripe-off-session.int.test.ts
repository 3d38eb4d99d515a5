import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BillingApi } from "../../src/contexts/billing/api.js";
import { SYSTEM_SCOPE } from "../../src/platform/db/db.js";
import { startTestApp, type TestApp } from "../support/test-app.js";
import { billingEvents, count } from "./billing-support.js";
import { useFakeStripe } from "./fake-stripe.js";

/**
 * A method kept on file with Stripe and charged without the buyer (issue 20), through the API the
 * marketplace's port calls, against the fake: the buyer's Customer, the first payment's
 * setup_future_usage, attach for a method the buyer changed to, off-session charges and declines.
 */
const fake = useFakeStripe("whsec_test_off_session");
const TENANT = "ten_off";
let t: TestApp;
let api: BillingApi;
beforeAll(async () => {
  t = await startTestApp({ workers: false });
  api = new BillingApi(t.app.kernel);
});
afterAll(() => t?.stop());

let n = 0;
const next = (what: string) => `${what}_${n++}`;
const stripeCalls = (key: string) => fake.current.requests.filter((r) => r.idempotencyKey === key);

/** A renewing purchase with `token`, sent by one worker pass; the method is kept under the order's id. */
async function purchase(buyerUserId: string, token: string) {
  const orderId = next("ord_off");
  await api.processPayment({
    orderId,
    buyerUserId,
    tenantId: TENANT,
    amount: 2500,
    currency: "EUR",
    method: { method: "card", token },
    correlationId: orderId,
    idempotencyKey: `k_${orderId}`,
    keepOnFile: orderId,
  });
  await api.checkDuePayments();
  return orderId;
}

const charge = (ownerRef: string, buyerUserId: string, chargeRef: string) =>
  t.app.kernel.db.tx(
    (tx) =>
      api.chargeMethodOnFileIn(tx, {
        ownerRef,
        chargeRef,
        tenantId: TENANT,
        buyerUserId,
        amount: 2500,
        currency: "EUR",
        correlationId: chargeRef,
      }),
    { tenantId: TENANT },
  );

const paymentOf = async (orderId: string) =>
  (
    await t.app.kernel.db.tx(
      (tx) =>
        tx.query<{ status: string; failure_code: string | null; provider_ref: string | null }>(
          `SELECT status, failure_code, provider_ref FROM billing.payment_intents WHERE order_id = $1`,
          [orderId],
        ),
      { tenantId: SYSTEM_SCOPE },
    )
  ).rows[0];

describe("Stripe off-session charges", () => {
  it("saves the first payment's card to the buyer's Customer, then charges it off-session once per charge reference", async () => {
    const buyer = next("usr_off");
    const token = `pm_card_visa__${buyer}`;
    const customersBefore = fake.current.created.customers;
    const orderId = await purchase(buyer, token);
    expect(await paymentOf(orderId)).toMatchObject({ status: "succeeded" });
    const [customer] = stripeCalls(`customer:${TENANT}:${buyer}`);
    expect(customer?.path).toBe("/v1/customers");
    const [create] = stripeCalls(`order:${orderId}:create`);
    const customerRef = fake.current.attached.get(token);
    expect(customerRef).toMatch(/^cus_fake_/);
    expect([create!.body.get("customer"), create!.body.get("setup_future_usage")]).toEqual([customerRef, "off_session"]);

    const chargeRef = `sub_${buyer}.p1.a1`;
    const pending = await charge(orderId, buyer, chargeRef);
    expect(pending.status).toBe("requires_payment");
    await api.checkDuePayments();
    expect(await charge(orderId, buyer, chargeRef)).toMatchObject({ paymentId: pending.paymentId, status: "succeeded" });
    await api.checkDuePayments();
    const sent = stripeCalls(`charge:${chargeRef}`);
    expect(sent.map((r) => r.path)).toEqual(["/v1/payment_intents"]);
    const body = sent[0]!.body;
    expect([body.get("customer"), body.get("payment_method"), body.get("off_session"), body.get("confirm")]).toEqual([
      customerRef,
      token,
      "true",
      "true",
    ]);
    // Attached by its first payment: never attached again. One Customer for the buyer whatever the charges.
    expect(fake.current.requests.filter((r) => r.path.endsWith("/attach") && r.path.includes(token))).toEqual([]);
    await api.checkDuePayments();
    const second = await charge(orderId, buyer, `sub_${buyer}.p2.a1`);
    await api.checkDuePayments();
    expect(await api.getPayment(second.paymentId)).toMatchObject({ status: "succeeded" });
    expect(fake.current.created.customers - customersBefore).toBe(1);
    expect(await count(t, `SELECT count(*) AS n FROM billing.provider_customers WHERE buyer_user_id = $1`, [buyer])).toBe(1);
  });

  it("attaches a card the buyer changed to before its first off-session charge, and fails a decline without asking again", async () => {
    const buyer = next("usr_off");
    await purchase(buyer, `pm_card_visa__${buyer}`);
    const subscriptionId = next("sub_off");
    const token = `pm_card_chargeCustomerFail__${buyer}`;
    await t.app.kernel.db.tx(
      (tx) =>
        api.keepMethodOnFileIn(tx, { ownerRef: subscriptionId, tenantId: TENANT, buyerUserId: buyer, method: { method: "card", token } }),
      { tenantId: TENANT },
    );
    const chargeRef = `${subscriptionId}.p1.a1`;
    await charge(subscriptionId, buyer, chargeRef);
    await api.checkDuePayments();
    const attach = fake.current.requests.filter((r) => r.path === `/v1/payment_methods/${token}/attach`);
    expect(attach.map((r) => r.body.get("customer"))).toEqual([fake.current.attached.get(`pm_card_visa__${buyer}`)]);
    expect(await paymentOf(chargeRef)).toMatchObject({
      status: "failed",
      failure_code: "generic_decline",
      provider_ref: expect.stringMatching(/^pi_fake_/),
    });
    expect((await billingEvents(t, { correlationId: chargeRef })).map((e) => [e.type, e.payload.failureCode])).toEqual([
      ["billing.payment.failed.v1", "generic_decline"],
    ]);
    t.clock.advance(60 * 60_000);
    await api.checkDuePayments();
    expect(stripeCalls(`charge:${chargeRef}`)).toHaveLength(1);
  });

  it("fails a charge the bank wants the absent buyer to authenticate (authentication_required)", async () => {
    const buyer = next("usr_off");
    await purchase(buyer, `pm_card_visa__${buyer}`);
    const subscriptionId = next("sub_off");
    const token = `pm_card_authenticationRequired__${buyer}`;
    await t.app.kernel.db.tx(
      (tx) =>
        api.keepMethodOnFileIn(tx, { ownerRef: subscriptionId, tenantId: TENANT, buyerUserId: buyer, method: { method: "card", token } }),
      { tenantId: TENANT },
    );
    const chargeRef = `${subscriptionId}.p1.a1`;
    await charge(subscriptionId, buyer, chargeRef);
    await api.checkDuePayments();
    expect(await paymentOf(chargeRef)).toMatchObject({ status: "failed", failure_code: "authentication_required" });
    expect(await t.app.kernel.db.tx((tx) => api.methodOnFileIn(tx, subscriptionId), { tenantId: TENANT })).toEqual({
      method: "card",
      provider: "stripe",
      charges: 1,
    });
  });
});
