import { describe, expect, it } from "vitest";
import { codeOf } from "../../../platform/testing/given-when-then.js";
import { checkBuyerPolicy, type Totals } from "./order.domain.js";

const order = (total: number, currency = "USD"): Totals => ({ subtotal: total, discount: 0, tax: 0, taxInclusive: false, total, currency });
const windowStart = new Date("2026-03-01T00:00:00Z");

describe("the buying tenant's policy at placement", () => {
  it("lets a tenant without a policy buy in any currency", () => {
    expect(checkBuyerPolicy(null, order(10_000_00, "JPY"), 0).ok).toBe(true);
  });

  it("refuses a currency the tenant does not allow", () => {
    const policy = { allowedCurrencies: ["EUR", "USD"], cap: null };
    expect(checkBuyerPolicy(policy, order(100, "USD"), 0).ok).toBe(true);
    expect(codeOf(checkBuyerPolicy(policy, order(100, "GBP"), 0))).toBe("ORDER.CURRENCY_NOT_ALLOWED");
  });

  it("allows spending up to the cap and refuses one minor unit more", () => {
    const policy = { allowedCurrencies: null, cap: { amount: 100_000, currency: "USD", windowStart } };
    expect(checkBuyerPolicy(policy, order(40_000), 60_000).ok).toBe(true);
    expect(codeOf(checkBuyerPolicy(policy, order(40_001), 60_000))).toBe("ORDER.PURCHASE_CAP_EXCEEDED");
  });

  it("refuses an order in another currency than the cap's, since it cannot be measured against it", () => {
    const policy = { allowedCurrencies: null, cap: { amount: 100_000, currency: "USD", windowStart } };
    expect(codeOf(checkBuyerPolicy(policy, order(1, "EUR"), 0))).toBe("ORDER.CURRENCY_NOT_ALLOWED");
  });
});
