import type { Tx } from "../../../platform/db/db.js";
import type { EventMetadata } from "../../../platform/events/envelope.js";
import type { Kernel } from "../../../platform/kernel.js";
import type { PaymentIntent } from "./payment-intent.js";
import { clearCheck, claimDueChecks, intentById, intentWithRequest, leaseSubmission, postponeCheck, scheduleCheck } from "./payment-intents.sql.js";
import type { PaymentProviders } from "./payment-providers.js";
import { commandOf, recordTransition } from "./record-transition.js";
import { askProvider, recordAnswer, type ProviderAnswer } from "./submit-payment.js";

/** How long to wait before asking a provider again after it could not be reached. */
const RETRY_AFTER_MS = 30_000;
/**
 * How long a leased submission is left to the pass that took it before another may: well beyond a
 * create and a confirm with the Stripe client's own retries (20 s a try, three tries each). A
 * second caller would only get Stripe's first answer again (same idempotency keys).
 */
const LEASE_MS = 5 * 60_000;

interface Submission {
  intent: PaymentIntent;
  cardToken: string;
  metadata: EventMetadata;
}

/** A row with a card token submits an intent the provider has not seen; one without asks about one it has. */
function dueFor(intent: PaymentIntent | null, cardToken: string | null): "submit" | "ask" | "drop" {
  if (!intent) return "drop";
  if (cardToken !== null && intent.status === "requires_payment" && intent.providerRef === null) return "submit";
  if (intent.providerRef !== null && (intent.status === "processing" || intent.status === "requires_payment")) return "ask";
  return "drop";
}

/**
 * The deadline-row worker: claims due rows with FOR UPDATE SKIP LOCKED against the injected clock
 * (never setTimeout, so a restart loses nothing and tests move time by hand). A check asks the
 * provider where a submitted intent stands and records the answer in the claiming transaction. A
 * submission is taken afterwards, one at a time, each leased just before its call: the provider is
 * called outside any transaction and the answer recorded in a transaction of its own, so no
 * transaction (nor PGlite's one session) waits on the network for it. Returns how many rows it handled.
 */
export async function checkDuePayments(kernel: Kernel, providers: PaymentProviders, limit = 50): Promise<number> {
  const now = kernel.clock.now();
  const submissions: string[] = [];
  const handled = await kernel.db.tx(async (tx) => {
    const due = await claimDueChecks(tx, now, limit);
    for (const { paymentId, cardToken } of due) {
      const intent = await intentById(tx, paymentId, { lock: true });
      const what = dueFor(intent, cardToken);
      if (what === "drop") await clearCheck(tx, paymentId);
      else if (what === "submit") submissions.push(paymentId);
      else await askAgain(kernel, providers, tx, intent!, now);
    }
    return due.length;
  }, { tenantId: "*" });
  for (const paymentId of submissions) {
    const submission = await lease(kernel, paymentId);
    if (submission) await submit(kernel, providers, submission);
  }
  return handled;
}

/** The submission, if this pass is the one that takes it (another may have since). */
async function lease(kernel: Kernel, paymentId: string): Promise<Submission | null> {
  return kernel.db.tx(async (tx) => {
    const now = kernel.clock.now();
    const cardToken = await leaseSubmission(tx, paymentId, now, new Date(now.getTime() + LEASE_MS));
    if (cardToken === null) return null;
    const found = await intentWithRequest(tx, paymentId);
    if (!found || dueFor(found.intent, cardToken) !== "submit") {
      await clearCheck(tx, paymentId);
      return null;
    }
    const metadata = { ...(found.idempotencyKey ? { idempotencyKey: found.idempotencyKey } : {}), ...(found.requestId ? { requestId: found.requestId } : {}) };
    return { intent: found.intent, cardToken, metadata };
  }, { tenantId: "*" });
}

async function askAgain(kernel: Kernel, providers: PaymentProviders, tx: Tx, intent: PaymentIntent, now: Date): Promise<void> {
  try {
    await tx.savepoint(async () => {
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
    });
  } catch (error) {
    kernel.logger.warn({ err: error, paymentId: intent.paymentId }, "payment check failed; asking again later");
    await scheduleCheck(tx, intent.paymentId, intent.tenantId, new Date(now.getTime() + RETRY_AFTER_MS));
  }
}

/**
 * Calls the provider outside any transaction, then records its answer. If the call fails, or this
 * process stops before recording, the row comes due again (30 s, or when the lease ends) and a
 * later pass asks again with the same keys.
 */
async function submit(kernel: Kernel, providers: PaymentProviders, { intent, cardToken, metadata }: Submission): Promise<void> {
  let answer: ProviderAnswer;
  try {
    answer = await askProvider(providers.named(intent.provider), intent, cardToken);
  } catch (error) {
    kernel.logger.warn({ err: error, paymentId: intent.paymentId }, "payment submission failed; trying again later");
    await kernel.db.tx((tx) => postponeCheck(tx, intent.paymentId, new Date(kernel.clock.now().getTime() + RETRY_AFTER_MS)), { tenantId: "*" });
    return;
  }
  await kernel.db.tx(async (tx) => {
    const current = await intentById(tx, intent.paymentId, { lock: true });
    // Another pass (after the lease ran out) may have recorded the same answer first.
    if (!current || current.status !== "requires_payment" || current.providerRef !== null) return;
    await clearCheck(tx, intent.paymentId);
    await recordAnswer(kernel, tx, current, answer, metadata);
  }, { tenantId: "*" });
}
