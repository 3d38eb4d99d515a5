import { describe, expect, it } from "vitest";
import { planDebit, planRefund } from "./wallet.domain.js";

describe("wallet debit plan (seed 004)", () => {
  it("spends promo, then branded, then general", () => {
    const plan = planDebit({ promo: 200, branded: 150, general: 500 }, 450);
    expect(plan.ok && plan.value).toEqual([
      { bucket: "promo", amount: 200, balanceBefore: 200, balanceAfter: 0 },
      { bucket: "branded", amount: 150, balanceBefore: 150, balanceAfter: 0 },
      { bucket: "general", amount: 100, balanceBefore: 500, balanceAfter: 400 },
    ]);
  });

  it("touches only the buckets it needs", () => {
    const plan = planDebit({ promo: 0, branded: 300, general: 100 }, 250);
    expect(plan.ok && plan.value.map((m) => m.bucket)).toEqual(["branded"]);
  });

  it("takes nothing when the total is short, and says how much there was", () => {
    const plan = planDebit({ promo: 100, branded: 100, general: 100 }, 450);
    expect(!plan.ok && plan.rejection).toMatchObject({
      code: "WALLET_INSUFFICIENT_BALANCE",
      extra: { amountRequired: 450, amountAvailable: 300 },
    });
  });
});

describe("wallet refund plan", () => {
  const debits = [
    { transactionId: "wtx_p", bucket: "promo" as const, remaining: 200 },
    { transactionId: "wtx_b", bucket: "branded" as const, remaining: 150 },
    { transactionId: "wtx_g", bucket: "general" as const, remaining: 100 },
  ];

  it("returns a full refund to exactly the buckets it came from", () => {
    const plan = planRefund(debits, 450);
    expect(plan.ok && plan.value).toEqual([
      { reverses: "wtx_g", bucket: "general", amount: 100 },
      { reverses: "wtx_b", bucket: "branded", amount: 150 },
      { reverses: "wtx_p", bucket: "promo", amount: 200 },
    ]);
  });

  it("unwinds a partial refund from the last bucket spent", () => {
    const plan = planRefund(debits, 120);
    expect(plan.ok && plan.value).toEqual([
      { reverses: "wtx_g", bucket: "general", amount: 100 },
      { reverses: "wtx_b", bucket: "branded", amount: 20 },
    ]);
  });

  it("refuses to return more than was taken", () => {
    const plan = planRefund(debits, 451);
    expect(!plan.ok && plan.rejection.code).toBe("BILLING.REFUND_EXCEEDS_PAYMENT");
  });
});
