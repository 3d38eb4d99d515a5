import type { Tx } from "../../../platform/db/db.js";
import type { EventMetadata } from "../../../platform/events/envelope.js";
import type { Kernel } from "../../../platform/kernel.js";
import type { PaymentIntent } from "./payment-intent.js";
import { intentWrite, scheduleCheck } from "./payment-intents.sql.js";
import type { PaymentProvider } from "./payment-provider.js";
import { commandOf, transition } from "./record-transition.js";

/**
 * Hands an intent to its card provider: create, confirm, and record the answer with its event in
 * `tx`. Both calls carry idempotency keys derived from the order, so running this again for the
 * same intent (a transaction that rolled back after the provider answered, a retry after a network
 * error) gets the provider's first intent and first answer back instead of charging twice.
 */
export async function submitToProvider(kernel: Kernel, provider: PaymentProvider, tx: Tx, intent: PaymentIntent, token: string, metadata: EventMetadata): Promise<PaymentIntent> {
  const idempotencyKey = `order:${intent.orderId}`;
  const trace = { metadata };
  const { providerRef } = await provider.createIntent({ paymentId: intent.paymentId, orderId: intent.orderId, amount: intent.amount, currency: intent.currency, idempotencyKey });
  const processing = await transition(kernel, tx, { ...intent, providerRef }, { type: "StartProcessing" }, trace);
  const outcome = await provider.confirm({ paymentId: intent.paymentId, providerRef, token, idempotencyKey });
  const command = commandOf(outcome);
  const settled = command ? await transition(kernel, tx, processing, command, trace) : processing;
  // Nothing reads the intent back in this transaction: its final state goes out with the commit.
  tx.later(intentWrite(settled, kernel.clock.now()));
  if (!command && outcome.status === "processing" && outcome.checkAfterMs !== undefined) {
    await scheduleCheck(tx, intent.paymentId, intent.tenantId, new Date(kernel.clock.now().getTime() + outcome.checkAfterMs));
  }
  return settled;
}
