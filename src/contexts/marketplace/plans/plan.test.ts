import { describe, expect, it } from "vitest";
import { codeOf } from "../../../platform/testing/given-when-then.js";
import { planTerms } from "./plan.domain.js";

describe("plan terms", () => {
  it("accepts a one-time price in integer minor units", () => {
    expect(planTerms("one_time", { amount: 4900, currency: "USD" })).toEqual({
      ok: true,
      value: {
        amount: 4900,
        currency: "USD",
        seats: null,
        interval: null,
        validityDays: null,
        perpetualOffline: false,
        revocationCapPercent: null,
      },
    });
  });

  it("accepts yen and dinar amounts by their own exponent", () => {
    expect(planTerms("one_time", { amount: 5000, currency: "JPY" }).ok).toBe(true);
    expect(planTerms("one_time", { amount: 12500, currency: "KWD" }).ok).toBe(true);
  });

  it("refuses an unknown currency and a fractional amount", () => {
    expect(codeOf(planTerms("one_time", { amount: 100, currency: "XXY" }))).toBe("MONEY.CURRENCY_UNKNOWN");
    expect(codeOf(planTerms("one_time", { amount: 10.5, currency: "USD" }))).toBe("MONEY.AMOUNT_NOT_INTEGER");
  });

  it("needs seats on a seat pack and refuses them elsewhere", () => {
    expect(codeOf(planTerms("seat_pack", { amount: 100, currency: "USD" }))).toBe("PLAN.SEATS_REQUIRED");
    expect(planTerms("seat_pack", { amount: 100, currency: "USD", seats: 50 }).ok).toBe(true);
    expect(codeOf(planTerms("one_time", { amount: 100, currency: "USD", seats: 5 }))).toBe("PLAN.SEATS_NOT_ALLOWED");
    expect(codeOf(planTerms("site_license", { amount: 100, currency: "USD", seats: 5 }))).toBe("PLAN.SEATS_NOT_ALLOWED");
  });

  it("renews a seat pack or a site licence sold with an interval, and caps seat releases only on a renewing seat pack", () => {
    expect(planTerms("seat_pack", { amount: 100, currency: "USD", seats: 5, interval: "month", revocationCapPercent: 25 }).ok).toBe(true);
    expect(planTerms("site_license", { amount: 100, currency: "USD", interval: "year" }).ok).toBe(true);
    expect(codeOf(planTerms("seat_pack", { amount: 100, currency: "USD", seats: 5, revocationCapPercent: 25 }))).toBe(
      "PLAN.REVOCATION_CAP_NOT_ALLOWED",
    );
    expect(codeOf(planTerms("site_license", { amount: 100, currency: "USD", interval: "year", revocationCapPercent: 5 }))).toBe(
      "PLAN.REVOCATION_CAP_NOT_ALLOWED",
    );
    expect(codeOf(planTerms("seat_pack", { amount: 100, currency: "USD", seats: 5, interval: "month", validityDays: 30 }))).toBe(
      "PLAN.INTERVAL_NOT_ALLOWED",
    );
  });

  it("needs an interval on a subscription and refuses it elsewhere", () => {
    expect(codeOf(planTerms("subscription", { amount: 100, currency: "EUR" }))).toBe("PLAN.INTERVAL_REQUIRED");
    expect(planTerms("subscription", { amount: 100, currency: "EUR", interval: "year" }).ok).toBe(true);
    expect(codeOf(planTerms("one_time", { amount: 100, currency: "EUR", interval: "month" }))).toBe("PLAN.INTERVAL_NOT_ALLOWED");
  });
});
