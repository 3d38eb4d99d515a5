import { describe, expect, it } from "vitest";
import { meaningOf } from "./stripe-event.js";

describe("Stripe events in billing's terms", () => {
  it("maps payment_intent.succeeded to a success of that intent", () => {
    expect(meaningOf({ type: "payment_intent.succeeded", data: { object: { id: "pi_1" } } })).toEqual({
      kind: "intent",
      providerRef: "pi_1",
      paymentId: null,
      command: { type: "Succeed" },
    });
  });

  it("carries our payment id from the PaymentIntent's metadata", () => {
    expect(
      meaningOf({ type: "payment_intent.succeeded", data: { object: { id: "pi_1", metadata: { paymentId: "pay_1" } } } }),
    ).toMatchObject({ providerRef: "pi_1", paymentId: "pay_1" });
  });

  it("maps payment_intent.payment_failed to a failure with the decline code", () => {
    const meaning = meaningOf({
      type: "payment_intent.payment_failed",
      data: { object: { id: "pi_1", last_payment_error: { code: "card_declined", decline_code: "insufficient_funds", message: "no" } } },
    });
    expect(meaning).toMatchObject({ kind: "intent", command: { type: "Fail", failureCode: "insufficient_funds" } });
  });

  it("maps charge.refunded to the charge's running refunded total", () => {
    expect(meaningOf({ type: "charge.refunded", data: { object: { id: "ch_1", payment_intent: "pi_1", amount_refunded: 300 } } })).toEqual({
      kind: "refunded",
      providerRef: "pi_1",
      amountRefunded: 300,
    });
  });

  it("ignores event types billing does not act on", () => {
    expect(meaningOf({ type: "customer.created", data: { object: { id: "cus_1" } } })).toEqual({ kind: "ignored" });
  });
});
