import { describe, expect, it } from "vitest";
import { computeTax, DEFAULT_TAX_RATES, parseTaxRates } from "./tax.domain.js";

describe("tax reference", () => {
  it("adds exclusive tax on top, rounded half up to the minor unit", () => {
    const quote = computeTax({ DE: 1900 }, { country: "DE", amount: 1050, currency: "EUR", inclusive: false });
    // 1050 × 19 % = 199.5 → 200
    expect(quote.ok && quote.value).toMatchObject({ rateBasisPoints: 1900, netAmount: 1050, taxAmount: 200, grossAmount: 1250 });
  });

  it("splits an inclusive price so that net + tax is the price exactly", () => {
    const quote = computeTax({ GB: 2000 }, { country: "gb", amount: 1999, currency: "GBP", inclusive: true });
    // 1999 / 1.2 = 1665.83 → net 1666, tax 333
    expect(quote.ok && quote.value).toMatchObject({ country: "GB", netAmount: 1666, taxAmount: 333, grossAmount: 1999 });
  });

  it("uses the '*' fallback for a country not in the table", () => {
    const quote = computeTax({ "*": 500 }, { country: "BR", amount: 1000, currency: "BRL", inclusive: false });
    expect(quote.ok && quote.value.taxAmount).toBe(50);
  });

  it("stays exact for amounts beyond 2^53 / rate", () => {
    const quote = computeTax({ IN: 1800 }, { country: "IN", amount: Number.MAX_SAFE_INTEGER - 1, currency: "INR", inclusive: true });
    expect(quote.ok && quote.value.netAmount + quote.value.taxAmount).toBe(Number.MAX_SAFE_INTEGER - 1);
  });

  it("refuses fractional amounts", () => {
    const quote = computeTax(DEFAULT_TAX_RATES, { country: "DE", amount: 10.5, currency: "EUR", inclusive: false });
    expect(!quote.ok && quote.rejection.code).toBe("BILLING.AMOUNT_INVALID");
  });

  it("reads BILLING_TAX_RATES and rejects a malformed table", () => {
    expect(parseTaxRates('{"FR":2000,"*":0}')).toEqual({ FR: 2000, "*": 0 });
    expect(parseTaxRates(undefined)).toBe(DEFAULT_TAX_RATES);
    expect(() => parseTaxRates('{"FR":20.5}')).toThrow();
    expect(() => parseTaxRates('{"France":2000}')).toThrow();
  });
});
