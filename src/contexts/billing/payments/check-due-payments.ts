import { withChildSpan, type EventMetadata } from "../../../platform/events/envelope.js";
import type { Kernel } from "../../../platform/kernel.js";
import type { PaymentIntent } from "./payment-intent.domain.js";
import {
  clearCheck,
  claimDueChecks,
  dueRefundSubmissions,
  intentById,
  intentWithRequest,
  leaseSubmission,
  postponeCheck,
  scheduleCheck,
  type CardUse,
} from "./payment-intents.sql.js";
import { laterTrace } from "./intent-requests.sql.js";
import type { PaymentProviders } from "./payment-providers.js";
import { commandOf, recordTransition } from "./record-transition.js";
import { LEASE_MS, RESUBMIT_WINDOW_MS, RETRY_AFTER_MS } from "./submission-times.js";
import { sendCard, type SentCard } from "./off-session.js";
import { markAttached } from "./provider-customers.sql.js";
import { recordAnswer } from "./submit-payment.js";
import { submitRefund } from "./submit-refunds.js";
import { SYSTEM_SCOPE } from "../../../platform/db/db.js";

interface Submission {
  intent: PaymentIntent;
  cardToken: string;
  cardUse: CardUse | null;
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
 * (never setTimeout, so a restart loses nothing and tests move time by hand). The claim only sorts
 * the rows: a check (where does a submitted intent stand?) is moved 30 s on and asked after the
 * claim commits; a submission (a payment, then a refund) is leased just before its call, one at a
 * time. The provider is always called outside any transaction and its answer recorded in a
 * transaction of its own, so no transaction (nor PGlite's one session) waits on the network.
 * Returns how many rows it handled.
 */
export async function checkDuePayments(kernel: Kernel, providers: PaymentProviders, limit = 50): Promise<number> {
  const now = kernel.clock.now();
  const submissions: string[] = [];
  const checks: PaymentIntent[] = [];
  const { handled, refunds } = await kernel.db.tx(
    async (tx) => {
      const refunds = await dueRefundSubmissions(tx, now, limit);
      const due = await claimDueChecks(tx, now, limit);
      for (const { paymentId, cardToken } of due) {
        const intent = await intentById(tx, paymentId, { lock: true });
        const what = dueFor(intent, cardToken);
        if (what === "drop") await clearCheck(tx, paymentId);
        else if (what === "submit") submissions.push(paymentId);
        else {
          // Taken by this pass: the row comes due again only if no answer gets recorded.
          await postponeCheck(tx, paymentId, new Date(now.getTime() + RETRY_AFTER_MS));
          checks.push(intent!);
        }
      }
      return { handled: due.length + refunds.length, refunds };
    },
    { tenantId: SYSTEM_SCOPE },
  );
  for (const intent of checks) await askAgain(kernel, providers, intent);
  for (const paymentId of submissions) {
    const submission = await lease(kernel, paymentId);
    if (submission) await submit(kernel, providers, submission);
  }
  for (const refundId of refunds) await submitRefund(kernel, providers, refundId);
  return handled;
}

/** The submission, if this pass is the one that takes it (another may have since). */
async function lease(kernel: Kernel, paymentId: string): Promise<Submission | null> {
  return kernel.db.tx(
    async (tx) => {
      const now = kernel.clock.now();
      const leased = await leaseSubmission(tx, paymentId, now, new Date(now.getTime() + LEASE_MS));
      if (leased === null) return null;
      const { cardToken, cardUse } = leased;
      const found = await intentWithRequest(tx, paymentId);
      if (!found || dueFor(found.intent, cardToken) !== "submit") {
        await clearCheck(tx, paymentId);
        return null;
      }
      if (found.createdAt.getTime() <= now.getTime() - RESUBMIT_WINDOW_MS) {
        await clearCheck(tx, paymentId);
        kernel.logger.error(
          { paymentId },
          "payment unanswered within the provider's idempotency window: no longer submitted; it stays requires_payment for an operator",
        );
        return null;
      }
      // The asking request's trace, on this hop's own span (the worker submits after it answered).
      const metadata = withChildSpan({
        ...(found.requestId ? { requestId: found.requestId } : {}),
        ...found.requestMetadata,
        ...(found.idempotencyKey ? { idempotencyKey: found.idempotencyKey } : {}),
      });
      return { intent: found.intent, cardToken, cardUse, metadata };
    },
    { tenantId: SYSTEM_SCOPE },
  );
}

/**
 * Asks the provider where a submitted intent stands, outside any transaction, then records the
 * answer in one of its own, unless a webhook or another pass has settled the intent meanwhile.
 */
async function askAgain(kernel: Kernel, providers: PaymentProviders, intent: PaymentIntent): Promise<void> {
  try {
    const outcome = await providers.named(intent.provider).retrieve(intent.providerRef!);
    await kernel.db.tx(
      async (tx) => {
        const current = await intentById(tx, intent.paymentId, { lock: true });
        if (!current || current.providerRef !== intent.providerRef || dueFor(current, null) !== "ask") {
          await clearCheck(tx, intent.paymentId); // settled meanwhile (a webhook): nothing left to ask
          return;
        }
        const command = commandOf(outcome);
        if (command) {
          await recordTransition(kernel, tx, current, command, await laterTrace(tx, current.paymentId));
          await clearCheck(tx, current.paymentId);
        } else if (outcome.status === "processing" && outcome.checkAfterMs !== undefined) {
          await scheduleCheck(tx, current.paymentId, current.tenantId, new Date(kernel.clock.now().getTime() + outcome.checkAfterMs));
        } else {
          await clearCheck(tx, current.paymentId); // from here on, a webhook will tell
        }
      },
      { tenantId: SYSTEM_SCOPE },
    );
  } catch (error) {
    // The row was moved on when this pass took it: it comes due again.
    kernel.logger.warn({ err: error, paymentId: intent.paymentId }, "payment check failed; asking again later");
  }
}

/**
 * Calls the provider outside any transaction, then records its answer. If the call fails, or this
 * process stops before recording, the row comes due again (30 s, or when the lease ends) and a
 * later pass asks again with the same keys.
 */
async function submit(kernel: Kernel, providers: PaymentProviders, { intent, cardToken, cardUse, metadata }: Submission): Promise<void> {
  let sent: SentCard;
  try {
    sent = await sendCard(kernel, providers.named(intent.provider), intent, cardToken, cardUse);
  } catch (error) {
    kernel.logger.warn({ err: error, paymentId: intent.paymentId }, "payment submission failed; trying again later");
    await kernel.db.tx((tx) => postponeCheck(tx, intent.paymentId, new Date(kernel.clock.now().getTime() + RETRY_AFTER_MS)), {
      tenantId: SYSTEM_SCOPE,
    });
    return;
  }
  await kernel.db.tx(
    async (tx) => {
      const current = await intentById(tx, intent.paymentId, { lock: true });
      // Another pass (after the lease ran out) may have recorded the same answer first.
      if (!current || current.status !== "requires_payment" || current.providerRef !== null) return;
      await clearCheck(tx, intent.paymentId);
      await recordAnswer(kernel, tx, current, sent.answer, metadata);
      // Sent with setup_future_usage: the provider attaches the method when this payment succeeds (a
      // failed one leaves no order to renew), so its first charge without the buyer needs no attach.
      if (sent.attachedTo !== undefined && sent.answer.outcome.status !== "failed") {
        const buyer = { tenantId: current.tenantId, buyerUserId: current.buyerUserId, provider: current.provider };
        await markAttached(tx, buyer, cardToken, sent.attachedTo);
      }
    },
    { tenantId: SYSTEM_SCOPE },
  );
}
