import { describe, expect, it } from "vitest";
import { codeOf } from "../../../platform/testing/given-when-then.js";
import { capWindow, decidePolicy } from "./purchase-policy.domain.js";

describe("purchase policy", () => {
  it("validates what an admin sets", () => {
    expect(codeOf(decidePolicy({ allowedCurrencies: ["USD", "ABC"], cap: null }))).toBe("MONEY.CURRENCY_UNKNOWN");
    expect(codeOf(decidePolicy({ allowedCurrencies: ["USD"], cap: { amount: 1, currency: "EUR", period: "year" } }))).toBe(
      "PURCHASE_POLICY.CAP_CURRENCY_NOT_ALLOWED",
    );
    expect(decidePolicy({ allowedCurrencies: ["USD", "EUR", "USD"], cap: null })).toEqual({
      ok: true,
      value: { allowedCurrencies: ["EUR", "USD"], cap: null },
    });
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
