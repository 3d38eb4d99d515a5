/**
 * Subscriptions (issue 20): the calendar of periods, what a period costs, and the dunning policy.
 * Pure: the saga (subscription-saga.domain.ts) and the views read time from their inputs.
 */
export const SUBSCRIPTION_STATUSES = ["active", "past_due", "suspended", "canceled", "expired"] as const;
export type SubscriptionStatus = (typeof SUBSCRIPTION_STATUSES)[number];
export type BillingInterval = "month" | "year";

const DAY_MS = 86_400_000;

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

/** When a subscriber is charged, how long a failed renewal keeps access, when it retries and gives up. */
export interface DunningPolicy {
  /** How long before the period ends the renewal is charged. */
  renewalLeadMs: number;
  /** After the period end, access is kept this long for a past-due subscription; then it is suspended. */
  graceMs: number;
  /** Retries after the first failed charge, each counted from that failure. */
  retriesAfterMs: readonly number[];
  /** After the period end, a subscription still unpaid is canceled and its access ends. */
  cancelAfterMs: number;
}

export const DEFAULT_DUNNING: DunningPolicy = {
  renewalLeadMs: 3_600_000,
  graceMs: 7 * DAY_MS,
  retriesAfterMs: [1 * DAY_MS, 3 * DAY_MS, 5 * DAY_MS],
  cancelAfterMs: 30 * DAY_MS,
};

/** Refuses a policy whose steps contradict each other (a suspension after the final cancellation). */
export function checkDunning(policy: DunningPolicy): string | null {
  if (policy.graceMs > policy.cancelAfterMs) return "the grace period must end before the final cancellation";
  if (policy.retriesAfterMs.some((ms, i) => ms <= 0 || (i > 0 && ms <= policy.retriesAfterMs[i - 1]!)))
    return "retries must be positive and increasing";
  return null;
}

/**
 * What a period costs at the held plan version: the line's price (its quantity at the version's unit
 * price; a coupon applied to the first order only), and the charge with tax as billing quotes it.
 */
export function periodCharge(price: number, tax: { amount: number; inclusive: boolean }): { price: number; charge: number } {
  return { price, charge: tax.inclusive ? price : price + tax.amount };
}

/** A charge's reference in billing: one payment per (subscription, period, attempt). */
export const chargeRef = (subscriptionId: string, period: number, attempt: number): string => `${subscriptionId}.p${period}.a${attempt}`;

/** The reverse, for billing's events: null for a payment that is not a subscription's charge. */
export function parseChargeRef(ref: string): { subscriptionId: string; period: number; attempt: number } | null {
  const match = /^(sub_[A-Za-z0-9_-]+)\.p(\d+)\.a(\d+)$/.exec(ref);
  return match ? { subscriptionId: match[1]!, period: Number(match[2]), attempt: Number(match[3]) } : null;
}

/** Who may read or act on a subscription: its buyer, an org admin of its tenant, a platform admin. */
export function mayManage(
  subscription: { buyerUserId: string; tenantId: string },
  caller: { userId: string; tenantId: string; roles: readonly string[] },
): boolean {
  if (caller.roles.includes("platform_admin")) return true;
  if (subscription.buyerUserId === caller.userId && subscription.tenantId === caller.tenantId) return true;
  return caller.roles.includes("org_admin") && subscription.tenantId === caller.tenantId;
}
