import type { Tx } from "../../../platform/db/db.js";
import type { EventMetadata } from "../../../platform/events/envelope.js";
import type { Kernel } from "../../../platform/kernel.js";
import type { PaymentIntent } from "./payment-intent.domain.js";
import { intentWrite, scheduleCheck } from "./payment-intents.sql.js";
import { ProviderRefusal, type PaymentProvider, type ProviderAnswer } from "./payment-provider.js";
import { commandOf, transition } from "./record-transition.js";

export type { ProviderAnswer } from "./payment-provider.js";

/**
 * Asks the provider to take the payment: create, then confirm. No database work, so an external
 * provider can be called outside any transaction. Both calls carry idempotency keys derived from
 * the order, so asking again for the same intent (after a lost answer or a crash) gets the
 * provider's first intent and first answer back, for as long as the provider keeps its keys
 * (Stripe: 24 hours). Errors other than a refusal are thrown: the caller asks again later.
 * `priorCharges`: charges already made with a method on file (see ConfirmRequest); an external
 * provider is asked here only for purchases (a charge without the buyer goes through
 * off-session.ts), so the worker's submissions leave it at 0. `saveFor`: see CreateIntentRequest.
 */
export async function askProvider(
  provider: PaymentProvider,
  intent: PaymentIntent,
  token: string,
  priorCharges = 0,
  saveFor?: { customerRef: string },
): Promise<ProviderAnswer> {
  const idempotencyKey = `order:${intent.orderId}`;
  let providerRef: string;
  try {
    ({ providerRef } = await provider.createIntent({
      paymentId: intent.paymentId,
      orderId: intent.orderId,
      amount: intent.amount,
      currency: intent.currency,
      idempotencyKey,
      ...(saveFor ? { saveFor } : {}),
    }));
  } catch (error) {
    if (error instanceof ProviderRefusal)
      return { providerRef: null, outcome: { status: "failed", failureCode: error.failureCode, failureMessage: error.message } };
    throw error;
  }
  return {
    providerRef,
    outcome: await provider.confirm({ paymentId: intent.paymentId, providerRef, token, idempotencyKey, priorCharges }),
  };
}

/** Records a provider's answer on the intent, with its event, in `tx`. */
export async function recordAnswer(
  kernel: Kernel,
  tx: Tx,
  intent: PaymentIntent,
  answer: ProviderAnswer,
  metadata: EventMetadata,
): Promise<PaymentIntent> {
  const trace = { metadata };
  const submitted =
    answer.providerRef === null
      ? intent
      : await transition(kernel, tx, { ...intent, providerRef: answer.providerRef }, { type: "StartProcessing" }, trace);
  const command = commandOf(answer.outcome);
  const settled = command ? await transition(kernel, tx, submitted, command, trace) : submitted;
  // Nothing reads the intent back in this transaction: its final state goes out with the commit.
  tx.later(intentWrite(settled, kernel.clock.now()));
  if (!command && answer.outcome.status === "processing" && answer.outcome.checkAfterMs !== undefined) {
    await scheduleCheck(tx, intent.paymentId, intent.tenantId, new Date(kernel.clock.now().getTime() + answer.outcome.checkAfterMs));
  }
  return settled;
}
