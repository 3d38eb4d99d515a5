import { PaymentFailed, PaymentRefunded, PaymentSucceeded } from "../../../contracts/billing.js";
import type { Tx } from "../../../platform/db/db.js";
import type { EventMetadata } from "../../../platform/events/envelope.js";
import type { Kernel } from "../../../platform/kernel.js";
import { unwrap } from "../../../platform/result.js";
import { emit } from "../billing-events.js";
import { decide, type IntentCommand, type PaymentIntent } from "./payment-intent.domain.js";
import type { ProviderOutcome } from "./payment-provider.js";
import { saveIntent } from "./payment-intents.sql.js";

type Trace = { causationId?: string; metadata?: EventMetadata };

/**
 * decide → save → outbox, inside the caller's transaction. Payment events are correlated by the
 * order (the purchase saga's flow) and partitioned by orderId (EVENTS.md).
 */
export async function recordTransition(
  kernel: Kernel,
  tx: Tx,
  intent: PaymentIntent,
  command: IntentCommand,
  trace: Trace = {},
): Promise<PaymentIntent> {
  const next = await transition(kernel, tx, intent, command, trace);
  if (next !== intent) await saveIntent(tx, next, kernel.clock.now());
  return next;
}

/**
 * decide → outbox, leaving the save to the caller: a payment that passes through several states in
 * one transaction (created → processing → succeeded for an instant sandbox answer) is written once.
 */
export async function transition(
  kernel: Kernel,
  tx: Tx,
  intent: PaymentIntent,
  command: IntentCommand,
  trace: Trace = {},
): Promise<PaymentIntent> {
  const { intent: next, events } = unwrap(decide(intent, command));
  const at = {
    tenantId: intent.tenantId,
    context: { correlationId: intent.orderId, causationId: trace.causationId ?? null, metadata: trace.metadata },
  };
  for (const event of events) {
    switch (event.type) {
      case "PaymentSucceeded":
        await emit(
          kernel,
          tx,
          PaymentSucceeded,
          {
            paymentId: next.paymentId,
            orderId: next.orderId,
            amount: next.amount,
            currency: next.currency,
            method: next.method,
            provider: next.provider,
          },
          at,
        );
        break;
      case "PaymentFailed":
        await emit(
          kernel,
          tx,
          PaymentFailed,
          { paymentId: next.paymentId, orderId: next.orderId, failureCode: event.failureCode, failureMessage: event.failureMessage },
          at,
        );
        break;
      case "PaymentRefunded":
        await emit(
          kernel,
          tx,
          PaymentRefunded,
          { paymentId: next.paymentId, orderId: next.orderId, refundId: event.refundId, amount: event.amount, currency: next.currency },
          at,
        );
        break;
      default: {
        const unreachable: never = event;
        throw new Error(`unhandled intent event ${JSON.stringify(unreachable)}`);
      }
    }
  }
  return next;
}

/** A provider's final answer as a command; `processing` is not one (nothing changes yet). */
export function commandOf(outcome: ProviderOutcome): IntentCommand | null {
  switch (outcome.status) {
    case "succeeded":
      return { type: "Succeed" };
    case "failed":
      return { type: "Fail", failureCode: outcome.failureCode, failureMessage: outcome.failureMessage };
    case "processing":
      return null;
    default: {
      const unreachable: never = outcome;
      return unreachable;
    }
  }
}
