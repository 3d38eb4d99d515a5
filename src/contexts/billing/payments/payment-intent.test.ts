import { describe, expect, it } from "vitest";
import { codeOf, givenWhenThen } from "../../../platform/testing/given-when-then.js";
import { decide, type PaymentIntent } from "./payment-intent.domain.js";

const intent = (over: Partial<PaymentIntent> = {}): PaymentIntent => ({
  paymentId: "pay_1",
  orderId: "ord_1",
  tenantId: "ten_1",
  buyerUserId: "usr_1",
  amount: 1000,
  currency: "USD",
  method: "card",
  provider: "sandbox",
  providerRef: "sbx_pay_1",
  status: "requires_payment",
  refundedAmount: 0,
  failureCode: null,
  failureMessage: null,
  ...over,
});

const given = givenWhenThen(decide);

describe("payment intent", () => {
  it("goes requires_payment → processing → succeeded and announces the success once", () => {
    given(intent())
      .when({ type: "StartProcessing" })
      .then((d) => expect(d.ok && d.value.intent.status).toBe("processing"));
    given(intent({ status: "processing" }))
      .when({ type: "Succeed" })
      .then((d) => expect(d.ok && d.value).toMatchObject({ intent: { status: "succeeded" }, events: [{ type: "PaymentSucceeded" }] }));
  });

  it("treats a repeated success as a no-op without a second event", () => {
    given(intent({ status: "succeeded" }))
      .when({ type: "Succeed" })
      .then((d) => expect(d.ok && d.value.events).toEqual([]));
  });

  it("records the failure code when a payment fails", () => {
    given(intent({ status: "processing" }))
      .when({ type: "Fail", failureCode: "card_declined", failureMessage: "declined" })
      .then((d) =>
        expect(d.ok && d.value).toMatchObject({
          intent: { status: "failed", failureCode: "card_declined" },
          events: [{ type: "PaymentFailed", failureCode: "card_declined" }],
        }),
      );
  });

  it("refuses to succeed a payment that already failed", () => {
    given(intent({ status: "failed" }))
      .when({ type: "Succeed" })
      .then((d) => expect(codeOf(d)).toBe("BILLING.PAYMENT_STATE_CONFLICT"));
  });

  it("refunds in parts until the whole amount is back", () => {
    given(intent({ status: "succeeded" }))
      .when({ type: "Refund", refundId: "rfd_1", amount: 400 })
      .then((d) => expect(d.ok && d.value.intent).toMatchObject({ status: "partially_refunded", refundedAmount: 400 }));
    given(intent({ status: "partially_refunded", refundedAmount: 400 }))
      .when({ type: "Refund", refundId: "rfd_2", amount: 600 })
      .then((d) =>
        expect(d.ok && d.value).toMatchObject({
          intent: { status: "refunded", refundedAmount: 1000 },
          events: [{ type: "PaymentRefunded", refundId: "rfd_2", amount: 600 }],
        }),
      );
  });

  it("refuses to refund more than was paid, or a payment that never succeeded", () => {
    given(intent({ status: "partially_refunded", refundedAmount: 900 }))
      .when({ type: "Refund", refundId: "rfd_3", amount: 200 })
      .then((d) => expect(codeOf(d)).toBe("BILLING.REFUND_EXCEEDS_PAYMENT"));
    given(intent({ status: "processing" }))
      .when({ type: "Refund", refundId: "rfd_4", amount: 1 })
      .then((d) => expect(codeOf(d)).toBe("BILLING.PAYMENT_NOT_REFUNDABLE"));
  });
});
