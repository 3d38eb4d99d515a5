import type { Tx } from "../../../platform/db/db.js";
import type { Kernel } from "../../../platform/kernel.js";
import { clearCheck, claimDueChecks, intentById, intentRequest, scheduleCheck } from "./payment-intents.sql.js";
import type { PaymentIntent } from "./payment-intent.js";
import type { PaymentProviders } from "./payment-providers.js";
import { commandOf, recordTransition } from "./record-transition.js";
import { submitToProvider } from "./submit-payment.js";

/** How long to wait before asking a provider again after it could not be reached. */
const RETRY_AFTER_MS = 30_000;

/**
 * The deadline-row worker: claims due rows with FOR UPDATE SKIP LOCKED against the injected clock
 * (never setTimeout, so a restart loses nothing and tests move time by hand), then either submits an
 * intent to its external provider (a row with a card token) or asks where a submitted one stands,
 * and records the answer with its event in the same transaction. Returns how many rows it handled.
 *
 * The provider is called while the row is locked. If this transaction rolls back after the provider
 * answered, the row is still there and the next pass calls again with the same idempotency keys,
 * so the provider returns its first answer and nothing is charged twice.
 */
export async function checkDuePayments(kernel: Kernel, providers: PaymentProviders, limit = 50): Promise<number> {
  return kernel.db.tx(async (tx) => {
    const now = kernel.clock.now();
    const due = await claimDueChecks(tx, now, limit);
    for (const { paymentId, cardToken } of due) {
      const intent = await intentById(tx, paymentId, { lock: true });
      const submit = intent && cardToken !== null && intent.status === "requires_payment" && intent.providerRef === null;
      if (!intent || (!submit && (!intent.providerRef || (intent.status !== "processing" && intent.status !== "requires_payment")))) {
        await clearCheck(tx, paymentId);
        continue;
      }
      try {
        await tx.savepoint(async () => {
          if (submit) {
            await clearCheck(tx, paymentId);
            const request = await intentRequest(tx, paymentId);
            await submitToProvider(kernel, providers.named(intent.provider), tx, intent, cardToken, {
              ...(request.idempotencyKey ? { idempotencyKey: request.idempotencyKey } : {}),
              ...(request.requestId ? { requestId: request.requestId } : {}),
            });
            return;
          }
          await askAgain(kernel, providers, tx, intent, now);
        });
      } catch (error) {
        kernel.logger.warn({ err: error, paymentId }, submit ? "payment submission failed; trying again later" : "payment check failed; asking again later");
        await scheduleCheck(tx, paymentId, intent.tenantId, new Date(now.getTime() + RETRY_AFTER_MS), submit ? cardToken : null);
      }
    }
    return due.length;
  }, { tenantId: "*" });
}

async function askAgain(kernel: Kernel, providers: PaymentProviders, tx: Tx, intent: PaymentIntent, now: Date): Promise<void> {
  const outcome = await providers.named(intent.provider).retrieve(intent.providerRef!);
  const command = commandOf(outcome);
  if (command) {
    await recordTransition(kernel, tx, intent, command);
    await clearCheck(tx, intent.paymentId);
  } else if (outcome.status === "processing" && outcome.checkAfterMs !== undefined) {
    await scheduleCheck(tx, intent.paymentId, intent.tenantId, new Date(now.getTime() + outcome.checkAfterMs));
  } else {
    await clearCheck(tx, intent.paymentId); // from here on, a webhook will tell
  }
}
