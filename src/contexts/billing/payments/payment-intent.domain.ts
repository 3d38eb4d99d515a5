import { ok, type Result } from "../../../platform/result.js";
import { reject } from "../errors.js";

/**
 * A payment intent: one per order. Pure state machine, no I/O:
 *   requires_payment → processing → succeeded | failed
 *   succeeded → partially_refunded → refunded
 * requires_payment may also go straight to succeeded/failed when the provider answers at once.
 */
export const INTENT_STATUSES = ["requires_payment", "processing", "succeeded", "failed", "partially_refunded", "refunded"] as const;
export type IntentStatus = (typeof INTENT_STATUSES)[number];
export const PAYMENT_METHODS = ["card", "wallet"] as const;
export type PaymentMethodKind = (typeof PAYMENT_METHODS)[number];

export interface PaymentIntent {
  paymentId: string;
  orderId: string;
  tenantId: string;
  buyerUserId: string;
  amount: number;
  currency: string;
  method: PaymentMethodKind;
  provider: string;
  providerRef: string | null;
  status: IntentStatus;
  refundedAmount: number;
  failureCode: string | null;
  failureMessage: string | null;
}

export type IntentCommand =
  | { type: "StartProcessing" }
  | { type: "Succeed" }
  | { type: "Fail"; failureCode: string; failureMessage: string }
  | { type: "Refund"; refundId: string; amount: number };

export type IntentEvent =
  | { type: "PaymentSucceeded" }
  | { type: "PaymentFailed"; failureCode: string; failureMessage: string }
  | { type: "PaymentRefunded"; refundId: string; amount: number };

export interface IntentDecision {
  intent: PaymentIntent;
  events: IntentEvent[];
}

const open = (status: IntentStatus) => status === "requires_payment" || status === "processing";
const refundable = (status: IntentStatus) => status === "succeeded" || status === "partially_refunded";

export function decide(intent: PaymentIntent, command: IntentCommand): Result<IntentDecision> {
  switch (command.type) {
    case "StartProcessing":
      if (intent.status === "processing") return ok({ intent, events: [] });
      if (intent.status !== "requires_payment") return conflict(intent, command.type);
      return ok({ intent: { ...intent, status: "processing" }, events: [] });
    case "Succeed":
      // A provider repeating "paid" (webhook redelivery, poller and webhook racing) changes nothing.
      if (intent.status === "succeeded" || intent.status === "partially_refunded" || intent.status === "refunded")
        return ok({ intent, events: [] });
      if (!open(intent.status)) return conflict(intent, command.type);
      return ok({ intent: { ...intent, status: "succeeded" }, events: [{ type: "PaymentSucceeded" }] });
    case "Fail":
      if (intent.status === "failed") return ok({ intent, events: [] });
      if (!open(intent.status)) return conflict(intent, command.type);
      return ok({
        intent: { ...intent, status: "failed", failureCode: command.failureCode, failureMessage: command.failureMessage },
        events: [{ type: "PaymentFailed", failureCode: command.failureCode, failureMessage: command.failureMessage }],
      });
    case "Refund": {
      if (!refundable(intent.status)) return reject("BILLING.PAYMENT_NOT_REFUNDABLE", `a ${intent.status} payment cannot be refunded`);
      if (!Number.isSafeInteger(command.amount) || command.amount <= 0)
        return reject("BILLING.AMOUNT_INVALID", "refund amount must be a positive integer", "amount");
      const refunded = intent.refundedAmount + command.amount;
      if (refunded > intent.amount) {
        return reject(
          "BILLING.REFUND_EXCEEDS_PAYMENT",
          `only ${intent.amount - intent.refundedAmount} of ${intent.amount} is left to refund`,
          "amount",
        );
      }
      return ok({
        intent: { ...intent, refundedAmount: refunded, status: refunded === intent.amount ? "refunded" : "partially_refunded" },
        events: [{ type: "PaymentRefunded", refundId: command.refundId, amount: command.amount }],
      });
    }
    default: {
      const unreachable: never = command;
      return unreachable;
    }
  }
}

function conflict(intent: PaymentIntent, command: IntentCommand["type"]) {
  return reject("BILLING.PAYMENT_STATE_CONFLICT", `${command} is not possible on a ${intent.status} payment`);
}
