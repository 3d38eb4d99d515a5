import type { Rejection } from "./result.js";

/**
 * Invariant 5: money is integer minor units plus an ISO 4217 code. The exponent says how many
 * minor units make a major one (JPY 0, USD 2, KWD 3); amounts are never floats.
 */
export const CURRENCY_EXPONENTS: Readonly<Record<string, 0 | 2 | 3>> = Object.freeze({
  AED: 2,
  AUD: 2,
  BHD: 3,
  BRL: 2,
  CAD: 2,
  CHF: 2,
  CLP: 0,
  CNY: 2,
  CZK: 2,
  DKK: 2,
  EGP: 2,
  EUR: 2,
  GBP: 2,
  HKD: 2,
  HUF: 2,
  IDR: 2,
  ILS: 2,
  INR: 2,
  ISK: 0,
  JOD: 3,
  JPY: 0,
  KES: 2,
  KRW: 0,
  KWD: 3,
  MXN: 2,
  MYR: 2,
  NGN: 2,
  NOK: 2,
  NZD: 2,
  OMR: 3,
  PHP: 2,
  PKR: 2,
  PLN: 2,
  SAR: 2,
  SEK: 2,
  SGD: 2,
  THB: 2,
  TND: 3,
  TRY: 2,
  TWD: 2,
  UGX: 0,
  USD: 2,
  VND: 0,
  ZAR: 2,
});

export interface Money {
  amount: number;
  currency: string;
}

export function isCurrency(code: string): boolean {
  return Object.hasOwn(CURRENCY_EXPONENTS, code);
}

export function exponentOf(currency: string): number {
  const exponent = CURRENCY_EXPONENTS[currency];
  if (exponent === undefined) throw new Error(`unknown currency ${currency}`);
  return exponent;
}

/** A refusal for money that is not integer minor units of a known currency; `null` when it is fine. */
export function checkMoney(amount: number, currency: string, field = "body"): Rejection | null {
  if (!isCurrency(currency))
    return { code: "MONEY.CURRENCY_UNKNOWN", detail: `${currency} is not a supported ISO 4217 currency`, field: `${field}/currency` };
  if (!Number.isSafeInteger(amount))
    return { code: "MONEY.AMOUNT_NOT_INTEGER", detail: "amount must be an integer number of minor units", field: `${field}/amount` };
  if (amount < 0) return { code: "MONEY.AMOUNT_NEGATIVE", detail: "amount must not be negative", field: `${field}/amount` };
  return null;
}

/** Minor units → a decimal string in major units ("1234" USD → "12.34"), exact, for display only. */
export function toMajorString(amount: number, currency: string): string {
  const exponent = exponentOf(currency);
  const negative = amount < 0;
  const digits = String(Math.abs(amount)).padStart(exponent + 1, "0");
  const major = exponent === 0 ? digits : `${digits.slice(0, -exponent)}.${digits.slice(-exponent)}`;
  return negative ? `-${major}` : major;
}

/** A decimal string in major units → minor units; refuses more decimals than the currency has. */
export function fromMajorString(text: string, currency: string): number {
  const exponent = exponentOf(currency);
  const match = /^(-?)(\d+)(?:\.(\d+))?$/.exec(text.trim());
  if (!match) throw new Error(`not a decimal amount: ${text}`);
  const [, sign, whole, fraction = ""] = match;
  if (fraction.length > exponent) throw new Error(`${currency} has ${exponent} decimals; got ${text}`);
  const minor = Number(`${whole}${fraction.padEnd(exponent, "0")}`);
  if (!Number.isSafeInteger(minor)) throw new Error(`amount out of range: ${text}`);
  return sign ? -minor : minor;
}

/**
 * Splits an amount by integer weights so the parts add up to the whole exactly (largest remainder;
 * ties go to the earlier part). Used for revenue shares and refunds across buckets.
 */
export function allocate(amount: number, weights: readonly number[]): number[] {
  if (!Number.isSafeInteger(amount)) throw new Error("amount must be an integer");
  if (weights.length === 0 || weights.some((w) => !Number.isSafeInteger(w) || w < 0))
    throw new Error("weights must be non-negative integers");
  const total = weights.reduce((sum, w) => sum + BigInt(w), 0n);
  if (total === 0n) throw new Error("weights must not all be zero");
  const whole = BigInt(amount);
  const sign = whole < 0n ? -1n : 1n;
  const magnitude = whole * sign;
  const parts = weights.map((w) => (magnitude * BigInt(w)) / total);
  const remainders = weights.map((w, i) => ({ i, r: (magnitude * BigInt(w)) % total }));
  let left = magnitude - parts.reduce((sum, p) => sum + p, 0n);
  remainders.sort((a, b) => (a.r === b.r ? a.i - b.i : a.r > b.r ? -1 : 1));
  for (const { i } of remainders) {
    if (left === 0n) break;
    parts[i]! += 1n;
    left -= 1n;
  }
  return parts.map((p) => Number(p * sign));
}
