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
  /** A renewing seat pack: at most this percentage of its seats may be released per period. */
  revocationCapPercent: number | null;
}

export interface PlanTermsInput {
  amount: number;
  currency: string;
  seats?: number;
  interval?: BillingInterval;
  validityDays?: number;
  perpetualOffline?: boolean;
  revocationCapPercent?: number;
}

/** Kinds that may renew: a subscription always does; a seat pack or a site licence when sold with an interval. */
const RENEWABLE: readonly PlanKind[] = ["subscription", "seat_pack", "site_license"];

/** Checks terms against the plan's kind: seats only on seat packs, an interval only on what can renew. */
export function planTerms(kind: PlanKind, input: PlanTermsInput): Result<PlanTerms> {
  const money = checkMoney(input.amount, input.currency);
  if (money) return { ok: false, rejection: money };
  const seats = input.seats ?? null;
  const interval = input.interval ?? null;
  if (kind === "seat_pack" && seats === null) return reject("PLAN.SEATS_REQUIRED", "a seat pack needs seats", "body/seats");
  if (kind !== "seat_pack" && seats !== null) return reject("PLAN.SEATS_NOT_ALLOWED", `a ${kind} plan has no seat count`, "body/seats");
  if (kind === "subscription" && interval === null)
    return reject("PLAN.INTERVAL_REQUIRED", "a subscription needs an interval (month or year)", "body/interval");
  if (!RENEWABLE.includes(kind) && interval !== null)
    return reject("PLAN.INTERVAL_NOT_ALLOWED", `a ${kind} plan has no billing interval`, "body/interval");
  if (interval !== null && input.validityDays !== undefined)
    return reject("PLAN.INTERVAL_NOT_ALLOWED", "a renewing plan lasts one interval at a time, not a number of days", "body/validityDays");
  const cap = input.revocationCapPercent ?? null;
  if (cap !== null && (kind !== "seat_pack" || interval === null))
    return reject(
      "PLAN.REVOCATION_CAP_NOT_ALLOWED",
      "only a renewing seat pack caps its seat releases per period",
      "body/revocationCapPercent",
    );
  return ok({
    amount: input.amount,
    currency: input.currency,
    seats,
    interval,
    validityDays: input.validityDays ?? null,
    perpetualOffline: input.perpetualOffline ?? false,
    revocationCapPercent: cap,
  });
}
