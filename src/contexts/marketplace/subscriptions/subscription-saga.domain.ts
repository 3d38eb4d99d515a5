import type { DeadlineCommand, Reaction, SagaDefinition } from "../../../platform/saga/saga.js";
import { periodBoundary, type BillingInterval, type DunningPolicy, type SubscriptionStatus } from "./subscription.domain.js";

/**
 * A subscription's life as a saga (issue 20): renewal charges before each period ends, dunning when
 * one fails (past_due → retries → suspended → canceled), cancel at period end and resume. Pure: the
 * time comes with each input, and every wait is a deadline row the runtime keeps.
 */
export interface SubscriptionState {
  status: SubscriptionStatus;
  interval: BillingInterval;
  /** The first period's start: every period boundary is counted from it. */
  anchor: string;
  /** The last period paid for (0: the order's). */
  period: number;
  cancelAtPeriodEnd: boolean;
  /** The first failed charge of the current dunning; retries are counted from it. */
  pastDueSince: string | null;
  /** The charge in flight, if any: its outcome is awaited for exactly this period and attempt. */
  charging: { period: number; attempt: number } | null;
  /** Attempts made to pay the next period. */
  attempts: number;
  /** Access held (suspended): the enrollments answer not entitled until the hold is released. */
  held: boolean;
  /** A change-plan waits for the next paid renewal (its terms are on the subscription row). */
  changePending?: boolean;
  endedReason: string | null;
}

export type EndReason = "requested" | "payment_failed" | "license_revoked" | "canceled_at_period_end";

export type SubscriptionInput =
  | { type: "Started"; at: Date }
  | { type: "RenewalDue"; at: Date }
  | { type: "ChargeSucceeded"; period: number; attempt: number; paymentId: string; at: Date }
  | { type: "ChargeFailed"; period: number; attempt: number; paymentId: string | null; failureCode: string; at: Date }
  | { type: "RetryDue"; at: Date }
  | { type: "GraceEnded"; at: Date }
  | { type: "FinalDeadlinePassed"; at: Date }
  | { type: "PeriodEnded"; at: Date }
  | { type: "CancelRequested"; atPeriodEnd: boolean; at: Date }
  | { type: "ResumeRequested"; at: Date }
  | { type: "PaymentMethodChanged"; at: Date }
  | { type: "PlanChangeRequested"; at: Date }
  | { type: "LicenseRevoked"; at: Date };

export type SubscriptionDeadline = "renewal" | "retry" | "grace" | "final" | "period_end";

export type SubscriptionEffect =
  | { type: "Charge"; period: number; attempt: number }
  | { type: "RecordChargeOutcome"; period: number; attempt: number; paymentId: string | null; succeeded: boolean; failureCode?: string }
  | { type: "ExtendLicense"; until: string }
  | { type: "RecordRevenue"; period: number }
  | { type: "ApplyPlanChange" }
  | { type: "HoldAccess" }
  | { type: "ReleaseAccess" }
  | { type: "EndAccess"; reason: EndReason }
  | { type: "RefundCharge"; paymentId: string; period: number; attempt: number }
  | { type: "PublishRenewed"; period: number; paymentId: string }
  | { type: "PublishPastDue"; failureCode: string; retryAt: string | null }
  | { type: "PublishSuspended" }
  | { type: "PublishCanceled"; reason: EndReason; atPeriodEnd: boolean }
  | { type: "PublishExpired"; reason: EndReason }
  | { type: "PublishReactivated"; reason: "payment_succeeded" | "resumed" };

export type SubscriptionCommand = DeadlineCommand<SubscriptionDeadline> | SubscriptionEffect;

export const SUBSCRIPTION_SAGA = "marketplace.subscription";

export function initialSubscription(interval: BillingInterval, anchor: Date): SubscriptionState {
  return {
    status: "active",
    interval,
    anchor: anchor.toISOString(),
    period: 0,
    cancelAtPeriodEnd: false,
    pastDueSince: null,
    charging: null,
    attempts: 0,
    held: false,
    endedReason: null,
  };
}

/** The paid period's bounds. */
export function currentPeriod(state: SubscriptionState): { start: Date; end: Date } {
  const anchor = new Date(state.anchor);
  return { start: periodBoundary(anchor, state.interval, state.period), end: periodBoundary(anchor, state.interval, state.period + 1) };
}

export const isEnded = (state: SubscriptionState): boolean => state.status === "canceled" || state.status === "expired";

const stay = (state: SubscriptionState, note: string): Reaction<SubscriptionState, SubscriptionCommand> => ({ state, commands: [], note });

const withRelease = (before: SubscriptionState, reaction: Reaction<SubscriptionState, SubscriptionCommand>) =>
  before.held ? { ...reaction, commands: [{ type: "ReleaseAccess" as const }, ...reaction.commands] } : reaction;

type ChargeOutcome = Extract<SubscriptionInput, { type: "ChargeSucceeded" | "ChargeFailed" }>;

/** The record of an awaited charge's outcome; null for any other charge (a duplicate, a late answer to an earlier attempt). */
function recordOf(state: SubscriptionState, input: ChargeOutcome): Extract<SubscriptionEffect, { type: "RecordChargeOutcome" }> | null {
  if (state.charging?.period !== input.period || state.charging.attempt !== input.attempt) return null;
  const succeeded = input.type === "ChargeSucceeded";
  return {
    type: "RecordChargeOutcome",
    period: input.period,
    attempt: input.attempt,
    paymentId: input.paymentId,
    succeeded,
    ...(input.type === "ChargeFailed" ? { failureCode: input.failureCode } : {}),
  };
}

export function subscriptionSaga(policy: DunningPolicy): SagaDefinition<SubscriptionState, SubscriptionInput, SubscriptionCommand> {
  const at = (name: SubscriptionDeadline, due: Date, now: Date): SubscriptionCommand => ({
    type: "ScheduleDeadline",
    name,
    afterMs: Math.max(0, due.getTime() - now.getTime()),
  });
  const renewalAt = (end: Date) => new Date(end.getTime() - policy.renewalLeadMs);
  /** The next scheduled retry still ahead, counted from the first failure (an extra attempt shifts none). */
  const nextRetry = (since: Date, now: Date): Date | null =>
    policy.retriesAfterMs.map((ms) => new Date(since.getTime() + ms)).find((due) => due.getTime() > now.getTime()) ?? null;
  const charge = (state: SubscriptionState): Reaction<SubscriptionState, SubscriptionCommand> => {
    const next = { period: state.period + 1, attempt: state.attempts + 1 };
    return { state: { ...state, charging: next, attempts: next.attempt }, commands: [{ type: "Charge", ...next }] };
  };
  const end = (
    state: SubscriptionState,
    status: "canceled" | "expired",
    reason: EndReason,
    publish: SubscriptionEffect,
    endAccess = true,
  ): Reaction<SubscriptionState, SubscriptionCommand> => ({
    // A charge still in flight stays recorded: should it succeed after all, the money goes back.
    state: { ...state, status, endedReason: reason, held: false },
    commands: [...(endAccess ? [{ type: "EndAccess" as const, reason }] : []), publish],
  });

  return {
    type: SUBSCRIPTION_SAGA,
    terminal: ["canceled", "expired"],
    react(state, input) {
      const { end: periodEnd } = currentPeriod(state);
      switch (input.type) {
        case "Started":
          return { state, commands: [at("renewal", renewalAt(periodEnd), input.at)] };

        case "RenewalDue":
          if (state.status !== "active") return stay(state, `no renewal while ${state.status}`);
          if (state.cancelAtPeriodEnd) return stay(state, "canceled at period end: no renewal");
          if (state.charging) return stay(state, "a renewal charge is already in flight");
          return charge(state);

        case "ChargeSucceeded": {
          const outcome = recordOf(state, input);
          if (!outcome) return stay(state, "charge outcome already recorded");
          if (isEnded(state) || state.cancelAtPeriodEnd) {
            // Paid after the subscription ended, or after a cancellation at period end (a slow charge
            // asked before it): nothing more to sell, the money goes back; the paid period runs out.
            return {
              state: { ...state, charging: null },
              commands: [outcome, { type: "RefundCharge", paymentId: input.paymentId, period: input.period, attempt: input.attempt }],
              note: isEnded(state) ? "paid after the end: refunded" : "paid after a cancellation at period end: refunded",
            };
          }
          const renewed: SubscriptionState = {
            ...state,
            status: "active",
            period: input.period,
            charging: null,
            attempts: 0,
            pastDueSince: null,
            held: false,
            changePending: false,
          };
          const newEnd = currentPeriod(renewed).end;
          const wasInDunning = state.status !== "active";
          return {
            state: renewed,
            commands: [
              outcome,
              { type: "ExtendLicense", until: newEnd.toISOString() },
              { type: "RecordRevenue", period: input.period },
              // The period just paid was charged at the new terms: from now on they are the subscription's.
              ...(state.changePending ? [{ type: "ApplyPlanChange" as const }] : []),
              ...(state.held ? [{ type: "ReleaseAccess" as const }] : []),
              { type: "PublishRenewed", period: input.period, paymentId: input.paymentId },
              ...(wasInDunning ? [{ type: "PublishReactivated" as const, reason: "payment_succeeded" as const }] : []),
              { type: "CancelDeadline", name: "retry" },
              { type: "CancelDeadline", name: "grace" },
              { type: "CancelDeadline", name: "final" },
              at("renewal", renewalAt(newEnd), input.at),
            ],
          };
        }

        case "ChargeFailed": {
          const outcome = recordOf(state, input);
          if (!outcome) return stay(state, "charge outcome already recorded");
          const settled = { ...state, charging: null };
          if (isEnded(state)) return { state: settled, commands: [outcome], note: "declined after the end" };
          const since = state.pastDueSince ? new Date(state.pastDueSince) : input.at;
          const retry = nextRetry(since, input.at);
          const retryCommands: SubscriptionCommand[] = retry ? [at("retry", retry, input.at)] : [];
          if (state.status !== "active") return { state: settled, commands: [outcome, ...retryCommands] };
          if (state.cancelAtPeriodEnd)
            return {
              state: settled,
              commands: [outcome, at("period_end", periodEnd, input.at)],
              note: "declined; ends at period end anyway",
            };
          return {
            state: { ...settled, status: "past_due", pastDueSince: input.at.toISOString() },
            commands: [
              outcome,
              { type: "PublishPastDue", failureCode: input.failureCode, retryAt: retry?.toISOString() ?? null },
              ...retryCommands,
              at("grace", new Date(periodEnd.getTime() + policy.graceMs), input.at),
              at("final", new Date(periodEnd.getTime() + policy.cancelAfterMs), input.at),
            ],
          };
        }

        case "RetryDue":
        case "PaymentMethodChanged":
          if (state.status !== "past_due" && state.status !== "suspended") return stay(state, `nothing to retry while ${state.status}`);
          if (state.charging) return stay(state, "a charge is already in flight");
          return charge(state);

        case "GraceEnded":
          if (state.status !== "past_due") return stay(state, `grace ended while ${state.status}`);
          return { state: { ...state, status: "suspended", held: true }, commands: [{ type: "HoldAccess" }, { type: "PublishSuspended" }] };

        case "FinalDeadlinePassed":
          if (state.status !== "past_due" && state.status !== "suspended") return stay(state, `final deadline while ${state.status}`);
          return end(state, "canceled", "payment_failed", { type: "PublishCanceled", reason: "payment_failed", atPeriodEnd: false });

        case "PeriodEnded":
          if (state.status !== "active" || !state.cancelAtPeriodEnd) return stay(state, "period ended: renewing, not ending");
          return end(state, "expired", "canceled_at_period_end", { type: "PublishExpired", reason: "canceled_at_period_end" });

        case "CancelRequested":
          if (isEnded(state)) return stay(state, "already ended");
          if (input.atPeriodEnd && state.status === "active") {
            if (state.cancelAtPeriodEnd) return stay(state, "already canceled at period end");
            return {
              state: { ...state, cancelAtPeriodEnd: true },
              commands: [
                { type: "CancelDeadline", name: "renewal" },
                // The paid period is the last: a charge still in flight is refunded when it succeeds.
                at("period_end", periodEnd, input.at),
                { type: "PublishCanceled", reason: "requested", atPeriodEnd: true },
              ],
            };
          }
          // Now (or past due: the unpaid period is not owed, so there is no period end to wait for).
          return end(state, "canceled", "requested", { type: "PublishCanceled", reason: "requested", atPeriodEnd: false });

        case "ResumeRequested":
          if (state.status !== "active" || !state.cancelAtPeriodEnd) return stay(state, "not canceled at period end");
          return {
            state: { ...state, cancelAtPeriodEnd: false },
            commands: [
              { type: "CancelDeadline", name: "period_end" },
              at("renewal", renewalAt(periodEnd), input.at),
              { type: "PublishReactivated", reason: "resumed" },
            ],
          };

        case "PlanChangeRequested":
          if (isEnded(state)) return stay(state, "already ended");
          return { state: { ...state, changePending: true }, commands: [] };

        case "LicenseRevoked":
          // The order was refunded (or the licence revoked by an operator): its enrollments are already dealt with.
          if (isEnded(state)) return stay(state, "already ended");
          // A suspension's hold goes, so what the revocation left (completed, audit) answers as it should.
          return withRelease(
            state,
            end(state, "canceled", "license_revoked", { type: "PublishCanceled", reason: "license_revoked", atPeriodEnd: false }, false),
          );

        default: {
          const unreachable: never = input;
          return unreachable;
        }
      }
    },
  };
}

/** Why a subscriber's request cannot be done now, as a refusal code; null when it can. Reads the subscription as last committed, under its saga's lock. */
export function refusalOf(
  subscription: { status: SubscriptionStatus; cancelAtPeriodEnd: boolean; currentPeriodEnd: Date },
  request: "cancel" | "resume" | "payment_method" | "change_plan",
  now: Date,
  charging = false,
): "SUBSCRIPTION.ENDED" | "SUBSCRIPTION.NOT_CANCELING" | "SUBSCRIPTION.RENEWAL_IN_PROGRESS" | null {
  if (subscription.status === "canceled" || subscription.status === "expired") return "SUBSCRIPTION.ENDED";
  // A charge in flight was asked at the current terms: a change now could be applied to a period charged at the old ones.
  if (request === "change_plan" && charging) return "SUBSCRIPTION.RENEWAL_IN_PROGRESS";
  if (request === "resume" && (!subscription.cancelAtPeriodEnd || new Date(subscription.currentPeriodEnd).getTime() <= now.getTime()))
    return "SUBSCRIPTION.NOT_CANCELING";
  return null;
}
