import { checkMoney } from "../../../platform/money.js";
import { ok, type Result } from "../../../platform/result.js";
import { reject } from "../errors.js";

/** Pricing plans (seed 001 §3 "Pricing"). A plan's kind is fixed; its terms change by new versions. */
export type PlanKind = "one_time" | "subscription" | "seat_pack" | "site_license";
export type BillingInterval = "month" | "year";

/** The terms of one immutable plan version; orders reference (planId, version). */
export interface PlanTerms {
  amount: number;
  currency: string;
  seats: number | null;
  interval: BillingInterval | null;
  validityDays: number | null;
  perpetualOffline: boolean;
}

export interface PlanTermsInput {
  amount: number;
  currency: string;
  seats?: number;
  interval?: BillingInterval;
  validityDays?: number;
  perpetualOffline?: boolean;
}

/** Checks terms against the plan's kind: seats only on seat packs, an interval only on subscriptions. */
export function planTerms(kind: PlanKind, input: PlanTermsInput): Result<PlanTerms> {
  const money = checkMoney(input.amount, input.currency);
  if (money) return { ok: false, rejection: money };
  const seats = input.seats ?? null;
  const interval = input.interval ?? null;
  if (kind === "seat_pack" && seats === null) return reject("PLAN.SEATS_REQUIRED", "a seat pack needs seats", "body/seats");
  if (kind !== "seat_pack" && seats !== null) return reject("PLAN.SEATS_NOT_ALLOWED", `a ${kind} plan has no seat count`, "body/seats");
  if (kind === "subscription" && interval === null)
    return reject("PLAN.INTERVAL_REQUIRED", "a subscription needs an interval (month or year)", "body/interval");
  if (kind !== "subscription" && interval !== null)
    return reject("PLAN.INTERVAL_NOT_ALLOWED", `a ${kind} plan has no billing interval`, "body/interval");
  return ok({
    amount: input.amount,
    currency: input.currency,
    seats,
    interval,
    validityDays: input.validityDays ?? null,
    perpetualOffline: input.perpetualOffline ?? false,
  });
}
