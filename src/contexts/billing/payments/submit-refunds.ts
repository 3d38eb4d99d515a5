import type { Kernel } from "../../../platform/kernel.js";
import { intentById, leaseRefundSubmission, parkRefundSubmission, postponeRefundSubmission, refundById, type RefundRecord } from "./payment-intents.sql.js";
import type { PaymentIntent } from "./payment-intent.js";
import { RESUBMIT_WINDOW_MS, type ProviderRefundOutcome } from "./payment-provider.js";
import type { PaymentProviders } from "./payment-providers.js";
import { recordRefundAnswer, refundRequest } from "./refund-payment.js";

/** How long a refund whose call or record failed waits before it is tried again. */
const RETRY_AFTER_MS = 30_000;
/** Left to the pass that took a refund before another may (see LEASE_MS for payments). */
const LEASE_MS = 5 * 60_000;

/**
 * Asks the provider for one refund that is due, if this pass is the one that takes it: leased just
 * before the call, called outside any transaction, the answer recorded in a transaction of its own.
 * A failed call, a lost answer or a crash leaves the refund to a later pass, which asks with the
 * same idempotency key and gets the provider's first refund back.
 */
export async function submitRefund(kernel: Kernel, providers: PaymentProviders, refundId: string): Promise<void> {
  const taken = await lease(kernel, refundId);
  if (!taken) return;
  const { intent, refund } = taken;
  let outcome: ProviderRefundOutcome;
  try {
    outcome = await providers.named(intent.provider).refund(refundRequest(intent, refund));
  } catch (error) {
    kernel.logger.warn({ err: error, refundId, paymentId: intent.paymentId }, "refund submission failed; trying again later");
    await postpone(kernel, refundId);
    return;
  }
  try {
    await kernel.db.tx(async (tx) => {
      const current = await intentById(tx, intent.paymentId, { lock: true });
      const pending = await refundById(tx, refundId, { lock: true });
      // A charge.refunded webhook may have settled it first.
      if (!current || pending?.status !== "pending" || pending.providerRef !== null) return;
      await recordRefundAnswer(kernel, tx, current, pending, outcome, { metadata: { requestId: intent.orderId } });
    }, { tenantId: "*" });
  } catch (error) {
    // The provider has answered; asked again with the same key, it gives the same answer back.
    kernel.logger.error({ err: error, refundId, paymentId: intent.paymentId }, "refund answered but not recorded; asking again later");
    await postpone(kernel, refundId);
  }
}

async function postpone(kernel: Kernel, refundId: string): Promise<void> {
  await kernel.db.tx((tx) => postponeRefundSubmission(tx, refundId, new Date(kernel.clock.now().getTime() + RETRY_AFTER_MS)), { tenantId: "*" });
}

async function lease(kernel: Kernel, refundId: string): Promise<{ intent: PaymentIntent; refund: RefundRecord } | null> {
  return kernel.db.tx(async (tx) => {
    const now = kernel.clock.now();
    const cutoff = new Date(now.getTime() - RESUBMIT_WINDOW_MS);
    const refund = await leaseRefundSubmission(tx, refundId, now, new Date(now.getTime() + LEASE_MS), cutoff);
    if (!refund) {
      if (await parkRefundSubmission(tx, refundId, now, cutoff)) {
        kernel.logger.error({ refundId }, "refund unanswered within the provider's idempotency window: no longer submitted; it stays pending for an operator");
      }
      return null;
    }
    const intent = await intentById(tx, refund.paymentId);
    return intent ? { intent, refund } : null;
  }, { tenantId: "*" });
}
