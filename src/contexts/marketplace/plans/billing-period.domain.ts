import type { BillingInterval } from "./plan.domain.js";

/**
 * The start of period `n` (0 = the one the order paid for), counted from the anchor so a month never
 * drifts: 31 January → 28 (29) February → 31 March, not 28 March. Stripe's billing anchor does the same.
 */
export function periodBoundary(anchor: Date, interval: BillingInterval, n: number): Date {
  const months = interval === "year" ? 12 * n : n;
  const year = anchor.getUTCFullYear();
  const month = anchor.getUTCMonth() + months;
  const lastDay = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
  const at = new Date(anchor);
  at.setUTCFullYear(year, month, Math.min(anchor.getUTCDate(), lastDay));
  return at;
}
