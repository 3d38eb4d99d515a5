import type { DeadlineCommand, Reaction, SagaDefinition } from "../../../platform/saga/saga.js";

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

type Deadline = "payment" | "enrollment";

/** What the saga asks of the world besides its deadlines (those are the runtime's). */
export type PurchaseEffect =
  | { type: "PublishPlaced" }
  | { type: "RequestPayment" }
  | { type: "PublishPaid"; paymentId: string }
  | { type: "GrantLicenses" }
  | { type: "RequestEnrollments" }
  | { type: "RecordRevenue" }
  /** Recurring lines (subscription plans) start their subscriptions; a no-op for an order with none. */
  | { type: "StartSubscriptions" }
  | { type: "PublishFulfilled" }
  | { type: "ReleaseCoupon" }
  | { type: "RevokeLicenses"; reason: string }
  | { type: "RevokeEnrollments"; licenseIds: string[] }
  | { type: "RefundPayment"; paymentId: string; reason: string }
  | {
      type: "PublishFailed";
      failureReason: string;
      failureStage: FailureStage;
      rollbackCompleted: boolean;
      amountRequired?: number;
      amountAvailable?: number;
    };

export type PurchaseCommand = DeadlineCommand<Deadline> | PurchaseEffect;

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

/**
 * One step of the purchase beside what undoes it (after Medusa's steps with their compensations).
 * The order holds the step's status while it runs, under the step's deadline if it has one.
 */
interface PurchaseStep {
  status: OrderStatus;
  /** The command that does the step; none for the coupon, which place-order reserves before the saga starts. */
  action: PurchaseEffect | null;
  deadline: Deadline | null;
  /** Undoes the step from what it left in the state: nothing when it left nothing. */
  undo(state: PurchaseState): PurchaseEffect[];
}

/** The steps in order. A failure undoes every step the order reached, latest first. */
export const PURCHASE_STEPS: readonly PurchaseStep[] = [
  { status: "placed", action: null, deadline: null, undo: (s) => (s.couponReserved ? [{ type: "ReleaseCoupon" }] : []) },
  {
    status: "awaiting_payment",
    action: { type: "RequestPayment" },
    deadline: "payment",
    undo: (s) => (s.paymentId ? [{ type: "RefundPayment", paymentId: s.paymentId, reason: "order_failed" }] : []),
  },
  {
    status: "licensing",
    action: { type: "GrantLicenses" },
    deadline: null,
    undo: (s) => (s.licenseIds.length > 0 ? [{ type: "RevokeLicenses", reason: "order_failed" }] : []),
  },
  {
    status: "enrolling",
    action: { type: "RequestEnrollments" },
    deadline: "enrollment",
    // By license, so enrollments the saga has not counted yet go too.
    undo: (s) => (s.licenseIds.length > 0 ? [{ type: "RevokeEnrollments", licenseIds: s.licenseIds }] : []),
  },
];

const stepAt = (status: OrderStatus): PurchaseStep => {
  const step = PURCHASE_STEPS.find((s) => s.status === status);
  if (!step) throw new Error(`no purchase step runs in status ${status}`);
  return step;
};

/** The deadline of the step that ends, if it has one. */
const leave = (status: OrderStatus): PurchaseCommand[] => {
  const { deadline } = stepAt(status);
  return deadline ? [{ type: "CancelDeadline", name: deadline }] : [];
};

type Failed = Omit<Extract<PurchaseEffect, { type: "PublishFailed" }>, "type" | "rollbackCompleted">;

/** Undoes every step the order reached, latest first, then says it failed. `cancel`: drop the current step's deadline first. */
function fail(state: PurchaseState, failed: Failed, cancel: boolean): Reaction<PurchaseState, PurchaseCommand> {
  const reached = PURCHASE_STEPS.slice(0, PURCHASE_STEPS.indexOf(stepAt(state.status)) + 1).reverse();
  return {
    state: { ...state, status: "failed", failure: { reason: failed.failureReason, stage: failed.failureStage, rollbackCompleted: true } },
    commands: [
      ...(cancel ? leave(state.status) : []),
      ...reached.flatMap((step) => step.undo(state)),
      { type: "PublishFailed", ...failed, rollbackCompleted: true },
    ],
  };
}

/** Also from licensing, when no enrollment is awaited: the enrollment deadline is cancelled all the same (none was set). */
const fulfil = (state: PurchaseState): Reaction<PurchaseState, PurchaseCommand> => ({
  state: { ...state, status: "fulfilled" },
  commands: [...leave("enrolling"), { type: "RecordRevenue" }, { type: "StartSubscriptions" }, { type: "PublishFulfilled" }],
});

const stay = (state: PurchaseState, note: string): Reaction<PurchaseState, PurchaseCommand> => ({ state, commands: [], note });

export function purchaseSaga(timeouts: SagaTimeouts = DEFAULT_TIMEOUTS): SagaDefinition<PurchaseState, PurchaseInput, PurchaseCommand> {
  const waits: Record<Deadline, number> = { payment: timeouts.paymentMs, enrollment: timeouts.enrollmentMs };
  /** Starts the step of a status: its deadline, then its action. */
  const enter = (status: OrderStatus): PurchaseCommand[] => {
    const { deadline, action } = stepAt(status);
    return [
      ...(deadline ? [{ type: "ScheduleDeadline" as const, name: deadline, afterMs: waits[deadline] }] : []),
      ...(action ? [action] : []),
    ];
  };
  return {
    type: "marketplace.purchase",
    terminal: ["fulfilled", "failed", "refunded"],
    react(state, input) {
      switch (input.type) {
        case "OrderPlaced":
          if (state.status !== "placed") return stay(state, "already placed");
          return { state: { ...state, status: "awaiting_payment" }, commands: [{ type: "PublishPlaced" }, ...enter("awaiting_payment")] };

        case "PaymentSucceeded":
          if (state.status === "awaiting_payment") {
            return {
              state: { ...state, status: "licensing", paymentId: input.paymentId },
              commands: [...leave("awaiting_payment"), { type: "PublishPaid", paymentId: input.paymentId }, ...enter("licensing")],
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
          const { amountRequired, amountAvailable } = input;
          return fail(state, { failureReason: input.failureCode, failureStage: stage, amountRequired, amountAvailable }, true);
        }

        case "PaymentDeadlinePassed":
          if (state.status !== "awaiting_payment") return stay(state, "deadline after the payment step");
          return fail(state, { failureReason: "PAYMENT_TIMEOUT", failureStage: "payment" }, false);

        case "LicensesGranted": {
          if (state.status !== "licensing") return stay(state, "licenses outside the licensing step");
          const next = { ...state, licenseIds: input.licenseIds };
          if (state.enrollmentsExpected === 0) return fulfil(next);
          return { state: { ...next, status: "enrolling" }, commands: [...leave("licensing"), ...enter("enrolling")] };
        }

        case "EnrollmentCreated": {
          if (state.status !== "enrolling") return stay(state, "enrollment outside the enrolling step");
          if (state.enrollmentIds.includes(input.enrollmentId)) return stay(state, "enrollment already counted");
          const next = { ...state, enrollmentIds: [...state.enrollmentIds, input.enrollmentId] };
          return next.enrollmentIds.length >= state.enrollmentsExpected ? fulfil(next) : { state: next, commands: [] };
        }

        case "EnrollmentRefused":
          if (state.status !== "enrolling") return stay(state, "enrollment refusal outside the enrolling step");
          return fail(state, { failureReason: input.reason, failureStage: "enrollment" }, true);

        case "EnrollmentDeadlinePassed":
          if (state.status !== "enrolling") return stay(state, "deadline after the enrolling step");
          // The deadline has fired; cancelling it changes nothing but keeps the step history as it always read.
          return fail(state, { failureReason: "ENROLLMENT_TIMEOUT", failureStage: "enrollment" }, true);

        default: {
          const unreachable: never = input;
          return unreachable;
        }
      }
    },
  };
}
