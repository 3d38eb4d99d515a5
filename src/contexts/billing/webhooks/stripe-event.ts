import type { IntentCommand } from "../payments/payment-intent.domain.js";

/**
 * Stripe's webhook vocabulary in ours (the ACL). Pure: takes the verified event's type and object,
 * returns what it means for one of our intents. Anything else is acknowledged and ignored.
 */
export type StripeMeaning =
  /** `paymentId`: ours, from the PaymentIntent's metadata (set when billing created it). */
  | {
      kind: "intent";
      providerRef: string;
      paymentId: string | null;
      command: Extract<IntentCommand, { type: "Succeed" } | { type: "Fail" }>;
    }
  /** `amountRefunded` is Stripe's running total for the charge, not this refund's amount. */
  | { kind: "refunded"; providerRef: string; amountRefunded: number }
  | { kind: "ignored" };

interface StripeObject {
  id?: unknown;
  payment_intent?: unknown;
  amount_refunded?: unknown;
  last_payment_error?: { code?: string; decline_code?: string; message?: string } | null;
  metadata?: { paymentId?: unknown } | null;
}

export function meaningOf(event: { type: string; data: { object: unknown } }): StripeMeaning {
  const object = (event.data.object ?? {}) as StripeObject;
  const paymentId = typeof object.metadata?.paymentId === "string" ? object.metadata.paymentId : null;
  switch (event.type) {
    case "payment_intent.succeeded":
      if (typeof object.id !== "string") return { kind: "ignored" };
      return { kind: "intent", providerRef: object.id, paymentId, command: { type: "Succeed" } };
    case "payment_intent.payment_failed": {
      if (typeof object.id !== "string") return { kind: "ignored" };
      const error = object.last_payment_error ?? {};
      return {
        kind: "intent",
        providerRef: object.id,
        paymentId,
        command: {
          type: "Fail",
          failureCode: error.decline_code ?? error.code ?? "payment_failed",
          failureMessage: error.message ?? "the payment failed",
        },
      };
    }
    case "charge.refunded": {
      const ref =
        typeof object.payment_intent === "string" ? object.payment_intent : (object.payment_intent as { id?: unknown } | null)?.id;
      if (typeof ref !== "string" || typeof object.amount_refunded !== "number") return { kind: "ignored" };
      return { kind: "refunded", providerRef: ref, amountRefunded: object.amount_refunded };
    }
    default:
      return { kind: "ignored" };
  }
}
