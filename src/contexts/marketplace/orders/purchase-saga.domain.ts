import type { Reaction, SagaDefinition } from "../../../platform/saga/saga.js";

/** Order statuses (API.md). */
export const ORDER_STATUSES = [
  "placed",
  "awaiting_payment",
  "licensing",
  "enrolling",
  "fulfilled",
  "failed",
  "refund_pending",
  "refunded",
] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

export type FailureStage = "payment" | "wallet_debit" | "licensing" | "enrollment";

export interface PurchaseState {
  status: OrderStatus;
  orderId: string;
  /** How many enrollments fulfilment waits for (one_time and subscription lines enroll the buyer). */
  enrollmentsExpected: number;
  paymentId: string | null;
  licenseIds: string[];
  enrollmentIds: string[];
  couponReserved: boolean;
  failure: { reason: string; stage: FailureStage; rollbackCompleted: boolean } | null;
}

export type PurchaseInput =
  | { type: "OrderPlaced" }
  | { type: "PaymentSucceeded"; paymentId: string }
  | { type: "PaymentFailed"; paymentId: string; failureCode: string; amountRequired?: number; amountAvailable?: number }
  | { type: "LicensesGranted"; licenseIds: string[] }
  | { type: "EnrollmentCreated"; enrollmentId: string }
  | { type: "EnrollmentRefused"; reason: string }
  | { type: "PaymentDeadlinePassed" }
  | { type: "EnrollmentDeadlinePassed" };

export type PurchaseCommand =
  | { type: "PublishPlaced" }
  | { type: "RequestPayment" }
  | { type: "ScheduleDeadline"; name: "payment" | "enrollment"; afterMs: number }
  | { type: "CancelDeadline"; name: "payment" | "enrollment" }
  | { type: "PublishPaid"; paymentId: string }
  | { type: "GrantLicenses" }
  | { type: "RequestEnrollments" }
  | { type: "RecordRevenue" }
  | { type: "PublishFulfilled" }
  | { type: "ReleaseCoupon" }
  | { type: "RevokeLicenses"; reason: string }
  | { type: "RefundPayment"; paymentId: string; reason: string }
  | {
      type: "PublishFailed";
      failureReason: string;
      failureStage: FailureStage;
      rollbackCompleted: boolean;
      amountRequired?: number;
      amountAvailable?: number;
    };

export interface SagaTimeouts {
  paymentMs: number;
  enrollmentMs: number;
}

export const DEFAULT_TIMEOUTS: SagaTimeouts = { paymentMs: 15 * 60_000, enrollmentMs: 5 * 60_000 };

export function initialPurchase(orderId: string, enrollmentsExpected: number, couponReserved: boolean): PurchaseState {
  return {
    status: "placed",
    orderId,
    enrollmentsExpected,
    paymentId: null,
    licenseIds: [],
    enrollmentIds: [],
    couponReserved,
    failure: null,
  };
}

const stay = (state: PurchaseState, note: string): Reaction<PurchaseState, PurchaseCommand> => ({ state, commands: [], note });

/**
 * Each forward step names its compensation beside it: payment → refund, licenses → revoke,
 * coupon → release. A failure after payment runs every compensation before the order is failed.
 */
function compensateAfterPayment(state: PurchaseState, reason: string, stage: FailureStage): Reaction<PurchaseState, PurchaseCommand> {
  const failure = { reason, stage, rollbackCompleted: true };
  return {
    state: { ...state, status: "failed", failure },
    commands: [
      { type: "CancelDeadline", name: "enrollment" },
      ...(state.licenseIds.length > 0 ? [{ type: "RevokeLicenses" as const, reason: "order_failed" }] : []),
      ...(state.paymentId ? [{ type: "RefundPayment" as const, paymentId: state.paymentId, reason: "order_failed" }] : []),
      ...(state.couponReserved ? [{ type: "ReleaseCoupon" as const }] : []),
      { type: "PublishFailed", failureReason: reason, failureStage: stage, rollbackCompleted: true },
    ],
  };
}

function fulfil(state: PurchaseState): Reaction<PurchaseState, PurchaseCommand> {
  return {
    state: { ...state, status: "fulfilled" },
    commands: [{ type: "CancelDeadline", name: "enrollment" }, { type: "RecordRevenue" }, { type: "PublishFulfilled" }],
  };
}

export function purchaseSaga(timeouts: SagaTimeouts = DEFAULT_TIMEOUTS): SagaDefinition<PurchaseState, PurchaseInput, PurchaseCommand> {
  return {
    type: "marketplace.purchase",
    terminal: ["fulfilled", "failed", "refunded"],
    react(state, input) {
      switch (input.type) {
        case "OrderPlaced":
          if (state.status !== "placed") return stay(state, "already placed");
          return {
            state: { ...state, status: "awaiting_payment" },
            commands: [
              { type: "PublishPlaced" },
              { type: "ScheduleDeadline", name: "payment", afterMs: timeouts.paymentMs },
              { type: "RequestPayment" },
            ],
          };

        case "PaymentSucceeded":
          if (state.status === "awaiting_payment") {
            return {
              state: { ...state, status: "licensing", paymentId: input.paymentId },
              commands: [
                { type: "CancelDeadline", name: "payment" },
                { type: "PublishPaid", paymentId: input.paymentId },
                { type: "GrantLicenses" },
              ],
            };
          }
          // Money that arrives after the order gave up on it goes straight back (tok_delayed past the deadline).
          if (state.status === "failed" && state.paymentId === null) {
            return {
              state: { ...state, paymentId: input.paymentId },
              commands: [{ type: "RefundPayment", paymentId: input.paymentId, reason: "payment_after_failure" }],
              note: "late payment refunded",
            };
          }
          return stay(state, "payment already recorded");

        case "PaymentFailed": {
          if (state.status !== "awaiting_payment") return stay(state, "payment outcome after the payment step");
          // seed 004 order.failed names a wallet shortfall's stage "wallet_debit".
          const stage: FailureStage = input.failureCode === "WALLET_INSUFFICIENT_BALANCE" ? "wallet_debit" : "payment";
          return {
            state: { ...state, status: "failed", failure: { reason: input.failureCode, stage, rollbackCompleted: true } },
            commands: [
              { type: "CancelDeadline", name: "payment" },
              ...(state.couponReserved ? [{ type: "ReleaseCoupon" as const }] : []),
              {
                type: "PublishFailed",
                failureReason: input.failureCode,
                failureStage: stage,
                rollbackCompleted: true,
                amountRequired: input.amountRequired,
                amountAvailable: input.amountAvailable,
              },
            ],
          };
        }

        case "PaymentDeadlinePassed":
          if (state.status !== "awaiting_payment") return stay(state, "deadline after the payment step");
          return {
            state: { ...state, status: "failed", failure: { reason: "PAYMENT_TIMEOUT", stage: "payment", rollbackCompleted: true } },
            commands: [
              ...(state.couponReserved ? [{ type: "ReleaseCoupon" as const }] : []),
              { type: "PublishFailed", failureReason: "PAYMENT_TIMEOUT", failureStage: "payment", rollbackCompleted: true },
            ],
          };

        case "LicensesGranted":
          if (state.status !== "licensing") return stay(state, "licenses outside the licensing step");
          {
            const next = { ...state, licenseIds: input.licenseIds };
            if (state.enrollmentsExpected === 0) return fulfil(next);
            return {
              state: { ...next, status: "enrolling" },
              commands: [{ type: "ScheduleDeadline", name: "enrollment", afterMs: timeouts.enrollmentMs }, { type: "RequestEnrollments" }],
            };
          }

        case "EnrollmentCreated": {
          if (state.status !== "enrolling") return stay(state, "enrollment outside the enrolling step");
          if (state.enrollmentIds.includes(input.enrollmentId)) return stay(state, "enrollment already counted");
          const next = { ...state, enrollmentIds: [...state.enrollmentIds, input.enrollmentId] };
          return next.enrollmentIds.length >= state.enrollmentsExpected ? fulfil(next) : { state: next, commands: [] };
        }

        case "EnrollmentRefused":
          if (state.status !== "enrolling") return stay(state, "enrollment refusal outside the enrolling step");
          return compensateAfterPayment(state, input.reason, "enrollment");

        case "EnrollmentDeadlinePassed":
          if (state.status !== "enrolling") return stay(state, "deadline after the enrolling step");
          return compensateAfterPayment(state, "ENROLLMENT_TIMEOUT", "enrollment");

        default: {
          const unreachable: never = input;
          return unreachable;
        }
      }
    },
  };
}
