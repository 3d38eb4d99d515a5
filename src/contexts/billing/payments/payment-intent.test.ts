import { describe, expect, it } from "vitest";
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

describe("payment intent", () => {
  it("goes requires_payment → processing → succeeded and announces the success once", () => {
    const started = decide(intent(), { type: "StartProcessing" });
    expect(started.ok && started.value.intent.status).toBe("processing");
    const paid = decide(intent({ status: "processing" }), { type: "Succeed" });
    expect(paid.ok && paid.value).toMatchObject({ intent: { status: "succeeded" }, events: [{ type: "PaymentSucceeded" }] });
  });

  it("treats a repeated success as a no-op without a second event", () => {
    const again = decide(intent({ status: "succeeded" }), { type: "Succeed" });
    expect(again.ok && again.value.events).toEqual([]);
  });

  it("records the failure code when a payment fails", () => {
    const failed = decide(intent({ status: "processing" }), { type: "Fail", failureCode: "card_declined", failureMessage: "declined" });
    expect(failed.ok && failed.value).toMatchObject({
      intent: { status: "failed", failureCode: "card_declined" },
      events: [{ type: "PaymentFailed", failureCode: "card_declined" }],
    });
  });

  it("refuses to succeed a payment that already failed", () => {
    const late = decide(intent({ status: "failed" }), { type: "Succeed" });
    expect(!late.ok && late.rejection.code).toBe("BILLING.PAYMENT_STATE_CONFLICT");
  });

  it("refunds in parts until the whole amount is back", () => {
    const part = decide(intent({ status: "succeeded" }), { type: "Refund", refundId: "rfd_1", amount: 400 });
    expect(part.ok && part.value.intent).toMatchObject({ status: "partially_refunded", refundedAmount: 400 });
    const rest = decide(intent({ status: "partially_refunded", refundedAmount: 400 }), { type: "Refund", refundId: "rfd_2", amount: 600 });
    expect(rest.ok && rest.value).toMatchObject({
      intent: { status: "refunded", refundedAmount: 1000 },
      events: [{ type: "PaymentRefunded", refundId: "rfd_2", amount: 600 }],
    });
  });

  it("refuses to refund more than was paid, or a payment that never succeeded", () => {
    const over = decide(intent({ status: "partially_refunded", refundedAmount: 900 }), { type: "Refund", refundId: "rfd_3", amount: 200 });
    expect(!over.ok && over.rejection.code).toBe("BILLING.REFUND_EXCEEDS_PAYMENT");
    const unpaid = decide(intent({ status: "processing" }), { type: "Refund", refundId: "rfd_4", amount: 1 });
    expect(!unpaid.ok && unpaid.rejection.code).toBe("BILLING.PAYMENT_NOT_REFUNDABLE");
  });
});
