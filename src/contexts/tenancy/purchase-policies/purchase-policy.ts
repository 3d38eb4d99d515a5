import { isCurrency } from "../../../platform/money.js";
import { ok, reject, type Result } from "../../../platform/result.js";

/**
 * seed 001 §5.1 buyer-tenant policies: which currencies a tenant may buy in, and how much it may
 * spend per calendar period (UTC). Stored here; enforced by the order code at placement.
 */
export const CAP_PERIODS = ["day", "week", "month", "quarter", "year"] as const;
export type CapPeriod = (typeof CAP_PERIODS)[number];

export interface PurchasePolicy {
  /** null: any supported currency. */
  allowedCurrencies: string[] | null;
  cap: { amount: number; currency: string; period: CapPeriod } | null;
}

export const NO_POLICY: PurchasePolicy = { allowedCurrencies: null, cap: null };

/** Validates a policy an admin sets; codes name the offending field. */
export function decidePolicy(input: PurchasePolicy): Result<PurchasePolicy> {
  const currencies = input.allowedCurrencies === null ? null : [...new Set(input.allowedCurrencies)].sort();
  for (const [index, code] of (input.allowedCurrencies ?? []).entries()) {
    if (!isCurrency(code)) return reject("MONEY.CURRENCY_UNKNOWN", `${code} is not a supported ISO 4217 currency`, `body/allowedCurrencies/${index}`);
  }
  if (input.cap) {
    if (!isCurrency(input.cap.currency)) return reject("MONEY.CURRENCY_UNKNOWN", `${input.cap.currency} is not a supported ISO 4217 currency`, "body/cap/currency");
    if (currencies && !currencies.includes(input.cap.currency)) return reject("PURCHASE_POLICY.CAP_CURRENCY_NOT_ALLOWED", "the cap's currency must be one of the allowed currencies", "body/cap/currency");
  }
  return ok({ allowedCurrencies: currencies, cap: input.cap });
}

/** The UTC calendar period containing `now`: [start, end). Weeks start on Monday (ISO 8601). */
export function capWindow(period: CapPeriod, now: Date): { start: Date; end: Date } {
  const y = now.getUTCFullYear();
  const m = now.getUTCMonth();
  const d = now.getUTCDate();
  switch (period) {
    case "day":
      return { start: new Date(Date.UTC(y, m, d)), end: new Date(Date.UTC(y, m, d + 1)) };
    case "week": {
      const monday = d - ((now.getUTCDay() + 6) % 7);
      return { start: new Date(Date.UTC(y, m, monday)), end: new Date(Date.UTC(y, m, monday + 7)) };
    }
    case "month":
      return { start: new Date(Date.UTC(y, m, 1)), end: new Date(Date.UTC(y, m + 1, 1)) };
    case "quarter": {
      const q = m - (m % 3);
      return { start: new Date(Date.UTC(y, q, 1)), end: new Date(Date.UTC(y, q + 3, 1)) };
    }
    case "year":
      return { start: new Date(Date.UTC(y, 0, 1)), end: new Date(Date.UTC(y + 1, 0, 1)) };
    default: {
      const unreachable: never = period;
      return unreachable;
    }
  }
}

/**
 * May this tenant buy `purchase` now, having spent `spentInWindow` (same currency as the cap, in the
 * current capWindow)? The caller must compute the spend and place the order under one lock or
 * conditional update, or two concurrent orders could both pass (invariant 6).
 */
export function checkPurchase(policy: PurchasePolicy, purchase: { amount: number; currency: string }, spentInWindow: number): Result<null> {
  if (policy.allowedCurrencies && !policy.allowedCurrencies.includes(purchase.currency)) {
    return reject("PURCHASE_POLICY.CURRENCY_NOT_ALLOWED", `this tenant may not buy in ${purchase.currency}`);
  }
  if (policy.cap) {
    // No FX here: a cap in one currency cannot judge a purchase in another, so it refuses it.
    if (policy.cap.currency !== purchase.currency) return reject("PURCHASE_POLICY.CURRENCY_NOT_ALLOWED", `this tenant's cap is in ${policy.cap.currency}`);
    if (spentInWindow + purchase.amount > policy.cap.amount) return reject("PURCHASE_POLICY.CAP_EXCEEDED", `the ${policy.cap.period}ly purchase cap would be exceeded`);
  }
  return ok(null);
}

export const purchasePolicyErrors: Readonly<Record<string, number>> = {
  "PURCHASE_POLICY.CAP_CURRENCY_NOT_ALLOWED": 400,
  "PURCHASE_POLICY.CURRENCY_NOT_ALLOWED": 422,
  "PURCHASE_POLICY.CAP_EXCEEDED": 422,
  "MONEY.CURRENCY_UNKNOWN": 400,
};
