import type { DeadlineCommand, Reaction, SagaDefinition } from "../../../platform/saga/saga.js";

/**
 * The refund saga (DESIGN §4 "fulfilled → refunded"): marketplace decides, billing moves the money.
 *
 *   requested → awaiting_money ──money back──→ refunded   (license revoked, enrollments revoked,
 *                     │  ↺ billing error: retry with backoff      earnings reversed, order refunded
 *                     │  ↺ pending at the provider: re-ask later   or back to fulfilled if partial)
 *                     └──refused by billing──→ failed     (seats handed back, order fulfilled again)
 *
 * Seats are taken off the license when the refund is requested (under the license lock), so a seat
 * assignment cannot spend them while the money is on its way.
 */
export type RefundSagaStatus = "requested" | "awaiting_money" | "refunded" | "failed";

export interface RefundSagaState {
  status: RefundSagaStatus;
  refundId: string;
  orderId: string;
  /** billing's refund id once billing has one. */
  billingRefundId: string | null;
  /** Billing calls that threw (infrastructure faults); each is retried after a growing delay. */
  attempts: number;
  failure: string | null;
}

export type RefundInput =
  | { type: "RefundRequested" }
  | { type: "MoneyReturned"; billingRefundId: string }
  | { type: "MoneyPending"; billingRefundId: string }
  | { type: "MoneyRefused"; failureCode: string }
  | { type: "BillingErrored"; error: string }
  | { type: "MoneyDeadlinePassed" };

/** What the saga asks of the world besides its deadline (that is the runtime's). */
export type RefundEffect =
  | { type: "RequestMoney" }
  | { type: "RevokeLicenses" }
  | { type: "RevokeEnrollments" }
  | { type: "ReverseEarnings" }
  | { type: "CompleteRefund" }
  | { type: "ReleaseHold"; reason: string };

export type RefundCommand = DeadlineCommand<"money"> | RefundEffect;

export interface RefundTimeouts {
  /** Delays between billing attempts that threw; the last one repeats. */
  retryMs: readonly number[];
  /** When a provider said "pending", ask again after this long (the webhook usually comes first). */
  pendingRecheckMs: number;
}

/** The kernel's retry ladder (invariant 4): 1 s, 5 s, 30 s, 5 min, 1 h. */
export const DEFAULT_REFUND_TIMEOUTS: RefundTimeouts = { retryMs: [1_000, 5_000, 30_000, 300_000, 3_600_000], pendingRecheckMs: 3_600_000 };

export function initialRefund(refundId: string, orderId: string): RefundSagaState {
  return { status: "requested", refundId, orderId, billingRefundId: null, attempts: 0, failure: null };
}

const stay = (state: RefundSagaState, note: string): Reaction<RefundSagaState, RefundCommand> => ({ state, commands: [], note });

export function refundSaga(
  timeouts: RefundTimeouts = DEFAULT_REFUND_TIMEOUTS,
): SagaDefinition<RefundSagaState, RefundInput, RefundCommand> {
  const backoff = (attempt: number) =>
    timeouts.retryMs[Math.min(attempt, timeouts.retryMs.length) - 1] ?? timeouts.retryMs[timeouts.retryMs.length - 1]!;
  return {
    type: "marketplace.refund",
    terminal: ["refunded", "failed"],
    react(state, input) {
      switch (input.type) {
        case "RefundRequested":
          if (state.status !== "requested") return stay(state, "already requested");
          // The deadline is the safety net: if this transaction's billing call cannot finish, the timer asks again.
          return {
            state: { ...state, status: "awaiting_money" },
            commands: [{ type: "ScheduleDeadline", name: "money", afterMs: backoff(1) }, { type: "RequestMoney" }],
          };

        case "MoneyReturned":
          if (state.status !== "awaiting_money") return stay(state, "money outcome outside the money step");
          return {
            state: { ...state, status: "refunded", billingRefundId: input.billingRefundId },
            commands: [
              { type: "CancelDeadline", name: "money" },
              { type: "RevokeLicenses" },
              { type: "RevokeEnrollments" },
              { type: "ReverseEarnings" },
              { type: "CompleteRefund" },
            ],
          };

        case "MoneyPending":
          if (state.status !== "awaiting_money") return stay(state, "money outcome outside the money step");
          return {
            state: { ...state, billingRefundId: input.billingRefundId },
            commands: [{ type: "ScheduleDeadline", name: "money", afterMs: timeouts.pendingRecheckMs }],
            note: "refund pending at the provider",
          };

        case "MoneyRefused":
          if (state.status !== "awaiting_money") return stay(state, "money outcome outside the money step");
          return {
            state: { ...state, status: "failed", failure: input.failureCode },
            commands: [
              { type: "CancelDeadline", name: "money" },
              { type: "ReleaseHold", reason: input.failureCode },
            ],
          };

        case "BillingErrored": {
          if (state.status !== "awaiting_money") return stay(state, "billing error outside the money step");
          const attempts = state.attempts + 1;
          return {
            state: { ...state, attempts },
            commands: [{ type: "ScheduleDeadline", name: "money", afterMs: backoff(attempts) }],
            note: `billing attempt ${attempts} failed: ${input.error}`.slice(0, 500),
          };
        }

        case "MoneyDeadlinePassed":
          if (state.status !== "awaiting_money") return stay(state, "deadline after the money step");
          // Billing's refund is idempotent on the refund id: asking again never pays twice.
          return {
            state,
            commands: [{ type: "ScheduleDeadline", name: "money", afterMs: backoff(state.attempts + 1) }, { type: "RequestMoney" }],
          };

        default: {
          const unreachable: never = input;
          return unreachable;
        }
      }
    },
  };
}
