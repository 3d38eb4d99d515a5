import type { Kernel } from "../../../platform/kernel.js";
import { clearCheck, claimDueChecks, intentById, scheduleCheck } from "./payment-intents.sql.js";
import type { PaymentProviders } from "./payment-providers.js";
import { commandOf, recordTransition } from "./record-transition.js";

/** How long to wait before asking a provider again after it could not be reached. */
const RETRY_AFTER_MS = 30_000;

/**
 * The deadline-row worker: claims due checks with FOR UPDATE SKIP LOCKED against the injected clock
 * (never setTimeout, so a restart loses nothing and tests move time by hand), asks the provider, and
 * records the answer with its event in the same transaction. Returns how many rows it handled.
 */
export async function checkDuePayments(kernel: Kernel, providers: PaymentProviders, limit = 50): Promise<number> {
  return kernel.db.tx(async (tx) => {
    const now = kernel.clock.now();
    const due = await claimDueChecks(tx, now, limit);
    for (const paymentId of due) {
      const intent = await intentById(tx, paymentId, { lock: true });
      if (!intent || !intent.providerRef || (intent.status !== "processing" && intent.status !== "requires_payment")) {
        await clearCheck(tx, paymentId);
        continue;
      }
      try {
        await tx.savepoint(async () => {
          const outcome = await providers.named(intent.provider).retrieve(intent.providerRef!);
          const command = commandOf(outcome);
          if (command) {
            await recordTransition(kernel, tx, intent, command);
            await clearCheck(tx, paymentId);
          } else if (outcome.status === "processing" && outcome.checkAfterMs !== undefined) {
            await scheduleCheck(tx, paymentId, intent.tenantId, new Date(now.getTime() + outcome.checkAfterMs));
          } else {
            await clearCheck(tx, paymentId); // from here on, a webhook will tell
          }
        });
      } catch (error) {
        kernel.logger.warn({ err: error, paymentId }, "payment check failed; asking again later");
        await scheduleCheck(tx, paymentId, intent.tenantId, new Date(now.getTime() + RETRY_AFTER_MS));
      }
    }
    return due.length;
  }, { tenantId: "*" });
}
