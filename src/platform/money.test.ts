import { describe, expect, it } from "vitest";
import { allocate, checkMoney, CURRENCY_EXPONENTS, exponentOf, fromMajorString, isCurrency, toMajorString } from "./money.js";

describe("currency table", () => {
  it("knows the common currencies with their ISO 4217 exponents", () => {
    expect(Object.keys(CURRENCY_EXPONENTS).length).toBeGreaterThanOrEqual(30);
    expect(exponentOf("JPY")).toBe(0);
    expect(exponentOf("KWD")).toBe(3);
    expect(exponentOf("USD")).toBe(2);
    for (const code of ["EUR", "GBP", "INR"]) expect(isCurrency(code)).toBe(true);
  });

  it("does not know lower-case codes, made-up codes or prototype keys", () => {
    for (const code of ["usd", "XYZ", "constructor", "toString", ""]) expect(isCurrency(code)).toBe(false);
    expect(() => exponentOf("XYZ")).toThrow();
  });
});

describe("checkMoney", () => {
  it("accepts integer minor units of a known currency", () => {
    expect(checkMoney(1999, "USD")).toBeNull();
    expect(checkMoney(0, "JPY")).toBeNull();
  });
  it("refuses an unknown currency, a fractional amount and a negative one, naming the field", () => {
    expect(checkMoney(100, "ABC")).toMatchObject({ code: "MONEY.CURRENCY_UNKNOWN", field: "body/currency" });
    expect(checkMoney(10.5, "USD")).toMatchObject({ code: "MONEY.AMOUNT_NOT_INTEGER", field: "body/amount" });
    expect(checkMoney(-1, "USD")).toMatchObject({ code: "MONEY.AMOUNT_NEGATIVE" });
  });
});

describe("major-unit strings", () => {
  it("formats by the currency's exponent", () => {
    expect(toMajorString(1234, "USD")).toBe("12.34");
    expect(toMajorString(5, "USD")).toBe("0.05");
    expect(toMajorString(1234, "JPY")).toBe("1234");
    expect(toMajorString(1234, "KWD")).toBe("1.234");
    expect(toMajorString(-5, "EUR")).toBe("-0.05");
  });
  it("parses exactly and refuses more decimals than the currency has", () => {
    expect(fromMajorString("12.34", "USD")).toBe(1234);
    expect(fromMajorString("12.3", "USD")).toBe(1230);
    expect(fromMajorString("1.234", "KWD")).toBe(1234);
    expect(() => fromMajorString("1.5", "JPY")).toThrow();
    expect(() => fromMajorString("0.001", "USD")).toThrow();
  });
});

describe("allocate", () => {
  it("splits 15% / 85% so the parts add up to the whole", () => {
    for (const amount of [1, 7, 99, 1001, 123457]) {
      const parts = allocate(amount, [15, 85]);
      expect(parts[0]! + parts[1]!).toBe(amount);
    }
    expect(allocate(100, [15, 85])).toEqual([15, 85]);
  });
  it("never loses a minor unit across three equal parts", () => {
    expect(allocate(100, [1, 1, 1])).toEqual([34, 33, 33]);
    expect(allocate(-100, [1, 1, 1])).toEqual([-34, -33, -33]);
  });
});
