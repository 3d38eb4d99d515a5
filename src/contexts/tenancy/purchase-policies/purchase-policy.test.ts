import { describe, expect, it } from "vitest";
import { capWindow, checkPurchase, decidePolicy, NO_POLICY } from "./purchase-policy.js";

const codeOf = (result: { ok: boolean; rejection?: { code: string } }) => (result.ok ? "accepted" : result.rejection!.code);

describe("purchase policy", () => {
  it("lets a tenant without a policy buy anything", () => {
    expect(checkPurchase(NO_POLICY, { amount: 10_000_00, currency: "JPY" }, 0).ok).toBe(true);
  });

  it("refuses a currency the tenant does not allow", () => {
    const policy = { allowedCurrencies: ["EUR", "USD"], cap: null };
    expect(checkPurchase(policy, { amount: 100, currency: "USD" }, 0).ok).toBe(true);
    expect(codeOf(checkPurchase(policy, { amount: 100, currency: "GBP" }, 0))).toBe("PURCHASE_POLICY.CURRENCY_NOT_ALLOWED");
  });

  it("allows spending up to the cap and refuses a minor unit more", () => {
    const policy = { allowedCurrencies: null, cap: { amount: 100_000, currency: "USD", period: "month" as const } };
    expect(checkPurchase(policy, { amount: 40_000, currency: "USD" }, 60_000).ok).toBe(true);
    expect(codeOf(checkPurchase(policy, { amount: 40_001, currency: "USD" }, 60_000))).toBe("PURCHASE_POLICY.CAP_EXCEEDED");
    expect(codeOf(checkPurchase(policy, { amount: 1, currency: "EUR" }, 0))).toBe("PURCHASE_POLICY.CURRENCY_NOT_ALLOWED");
  });

  it("validates what an admin sets", () => {
    expect(codeOf(decidePolicy({ allowedCurrencies: ["USD", "ABC"], cap: null }))).toBe("MONEY.CURRENCY_UNKNOWN");
    expect(codeOf(decidePolicy({ allowedCurrencies: ["USD"], cap: { amount: 1, currency: "EUR", period: "year" } }))).toBe("PURCHASE_POLICY.CAP_CURRENCY_NOT_ALLOWED");
    expect(decidePolicy({ allowedCurrencies: ["USD", "EUR", "USD"], cap: null })).toEqual({ ok: true, value: { allowedCurrencies: ["EUR", "USD"], cap: null } });
  });

  it("measures caps over UTC calendar periods", () => {
    const now = new Date("2026-03-18T15:00:00Z"); // a Wednesday
    expect(capWindow("day", now)).toEqual({ start: new Date("2026-03-18T00:00:00Z"), end: new Date("2026-03-19T00:00:00Z") });
    expect(capWindow("week", now)).toEqual({ start: new Date("2026-03-16T00:00:00Z"), end: new Date("2026-03-23T00:00:00Z") });
    expect(capWindow("month", now)).toEqual({ start: new Date("2026-03-01T00:00:00Z"), end: new Date("2026-04-01T00:00:00Z") });
    expect(capWindow("quarter", now)).toEqual({ start: new Date("2026-01-01T00:00:00Z"), end: new Date("2026-04-01T00:00:00Z") });
    expect(capWindow("year", now)).toEqual({ start: new Date("2026-01-01T00:00:00Z"), end: new Date("2027-01-01T00:00:00Z") });
  });
});
