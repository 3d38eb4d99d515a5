import { isCurrency } from "../../../platform/money.js";
import { ok, type Result } from "../../../platform/result.js";
import { reject } from "../errors.js";

/**
 * seed 001 §5.1 buyer-tenant policies: which currencies a tenant may buy in, and how much it may
 * spend per calendar period (UTC). Stored and validated here; the marketplace enforces them when an
 * order is placed (`checkBuyerPolicy`, through its buyer-policies port).
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
    if (!isCurrency(code))
      return reject("MONEY.CURRENCY_UNKNOWN", `${code} is not a supported ISO 4217 currency`, `body/allowedCurrencies/${index}`);
  }
  if (input.cap) {
    if (!isCurrency(input.cap.currency))
      return reject("MONEY.CURRENCY_UNKNOWN", `${input.cap.currency} is not a supported ISO 4217 currency`, "body/cap/currency");
    if (currencies && !currencies.includes(input.cap.currency))
      return reject(
        "PURCHASE_POLICY.CAP_CURRENCY_NOT_ALLOWED",
        "the cap's currency must be one of the allowed currencies",
        "body/cap/currency",
      );
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
