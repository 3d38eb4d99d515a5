/**
 * Subscriptions (issue 20): the calendar of periods, what a period costs, and the dunning policy.
 * Pure: the saga (subscription-saga.domain.ts) and the views read time from their inputs.
 */
export const SUBSCRIPTION_STATUSES = ["active", "past_due", "suspended", "canceled", "expired"] as const;
export type SubscriptionStatus = (typeof SUBSCRIPTION_STATUSES)[number];
import { ok, type Result } from "../../../platform/result.js";
import { reject } from "../errors.js";
import type { BillingInterval, PlanKind } from "../plans/plan.domain.js";

export type { BillingInterval } from "../plans/plan.domain.js";
export { periodBoundary } from "../plans/billing-period.domain.js";

const DAY_MS = 86_400_000;

/** When a subscriber is charged, how long a failed renewal keeps access, when it retries and gives up. */
export interface DunningPolicy {
  /** How long before the period ends the renewal is charged. */
  renewalLeadMs: number;
  /** Seat assignments of a renewing seat pack stand still from this long before the period ends (the renewal lock window). */
  seatLockMs: number;
  /** After the period end, access is kept this long for a past-due subscription; then it is suspended. */
  graceMs: number;
  /** Retries after the first failed charge, each counted from that failure. */
  retriesAfterMs: readonly number[];
  /** After the period end, a subscription still unpaid is canceled and its access ends. */
  cancelAfterMs: number;
}

export const DEFAULT_DUNNING: DunningPolicy = {
  renewalLeadMs: 3_600_000,
  seatLockMs: 12 * 3_600_000,
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

/**
 * Who may do what with a subscription. Read: its buyer, an org admin of its tenant, a platform admin.
 * Cancel, resume, change plan: its buyer or a platform admin, and an org admin for the tenant's own
 * seat packs and site licences (not a learner's personal subscription). A new payment method: the
 * buyer alone, since billing charges it to the buyer (their wallet, their Stripe Customer).
 */
export function mayAct(
  subscription: { buyerUserId: string; tenantId: string; kind: PlanKind },
  caller: { userId: string; tenantId: string; roles: readonly string[] },
  action: "read" | "manage" | "payment_method",
): boolean {
  const buyer = subscription.buyerUserId === caller.userId && subscription.tenantId === caller.tenantId;
  if (action === "payment_method") return buyer;
  if (buyer || caller.roles.includes("platform_admin")) return true;
  const orgAdmin = caller.roles.includes("org_admin") && subscription.tenantId === caller.tenantId;
  return orgAdmin && (action === "read" || subscription.kind !== "subscription");
}

export interface PlanChangeRequest {
  seats?: number;
  planVersion?: number;
}

/** The terms a change-plan asks for, checked against the subscription, the target version and the seats in use. */
export function planChange(
  subscription: { kind: PlanKind; interval: BillingInterval; currency: string; planVersion: number; seats: number | null },
  request: PlanChangeRequest,
  target: {
    version: number;
    kind: PlanKind;
    interval: BillingInterval | null;
    currency: string;
    amount: number;
    seats: number | null;
  } | null,
  seatsAssigned: number,
): Result<{ planVersion: number; seats: number | null; price: number }> {
  if (
    !target ||
    target.kind !== subscription.kind ||
    target.interval !== subscription.interval ||
    target.currency !== subscription.currency
  )
    return reject(
      "SUBSCRIPTION.PLAN_VERSION_UNKNOWN",
      "no version of this plan renews on the same interval and currency",
      "body/planVersion",
    );
  if (request.seats !== undefined && subscription.kind !== "seat_pack")
    return reject("SUBSCRIPTION.NOT_SEAT_PACK", `a ${subscription.kind} subscription has no seats`, "body/seats");
  const seats = subscription.kind === "seat_pack" ? (request.seats ?? subscription.seats ?? 1) : null;
  if (seats !== null && seats < seatsAssigned)
    return reject("SUBSCRIPTION.SEATS_BELOW_ASSIGNED", `${seatsAssigned} seats are assigned: release some first`, "body/seats");
  if (seats !== null && target.seats !== null && seats < target.seats)
    return reject("SUBSCRIPTION.SEATS_BELOW_MINIMUM", `this plan starts at ${target.seats} seats`, "body/seats");
  if (target.version === subscription.planVersion && seats === subscription.seats)
    return reject("SUBSCRIPTION.NO_CHANGE", "these are the subscription's terms already");
  return ok({ planVersion: target.version, seats, price: target.amount * (seats ?? 1) });
}

/**
 * OeX license-manager's renewal lock window: seat assignments of a renewing seat pack stand still
 * from this long before the period ends until the renewal is paid, so the seats renewed are the
 * seats charged for.
 */
export function seatsLocked(subscription: { status: SubscriptionStatus; currentPeriodEnd: Date }, now: Date, lockMs: number): boolean {
  if (subscription.status === "canceled" || subscription.status === "expired") return false;
  return now.getTime() >= new Date(subscription.currentPeriodEnd).getTime() - lockMs;
}

/** How many seats an org admin may still release this period under the plan's revocation cap (null: no cap). */
export function releasesLeft(capPercent: number | null, seatTotal: number, releasedThisPeriod: number): number | null {
  if (capPercent === null) return null;
  return Math.max(0, Math.floor((seatTotal * capPercent) / 100) - releasedThisPeriod);
}
