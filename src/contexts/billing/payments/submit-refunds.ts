import type { Kernel } from "../../../platform/kernel.js";
import {
  intentById,
  leaseRefundSubmission,
  postponeRefundSubmission,
  refundById,
  stopRefundSubmission,
  type RefundRecord,
} from "./payment-intents.sql.js";
import type { PaymentIntent } from "./payment-intent.domain.js";
import type { ProviderRefundOutcome } from "./payment-provider.js";
import type { PaymentProviders } from "./payment-providers.js";
import { recordRefundAnswer, refundRequest } from "./refund-answers.js";
import { LEASE_MS, RESUBMIT_WINDOW_MS, RETRY_AFTER_MS } from "./submission-times.js";
import { SYSTEM_SCOPE } from "../../../platform/db/db.js";

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
    await kernel.db.tx(
      async (tx) => {
        const current = await intentById(tx, intent.paymentId, { lock: true });
        const pending = await refundById(tx, refundId, { lock: true });
        // A charge.refunded webhook may have settled it first.
        if (!current || pending?.status !== "pending" || pending.providerRef !== null) return;
        await recordRefundAnswer(kernel, tx, current, pending, outcome, { metadata: { requestId: intent.orderId } });
      },
      { tenantId: SYSTEM_SCOPE },
    );
  } catch (error) {
    // The provider has answered; asked again with the same key, it gives the same answer back.
    kernel.logger.error({ err: error, refundId, paymentId: intent.paymentId }, "refund answered but not recorded; asking again later");
    await postpone(kernel, refundId);
  }
}

async function postpone(kernel: Kernel, refundId: string): Promise<void> {
  await kernel.db.tx((tx) => postponeRefundSubmission(tx, refundId, new Date(kernel.clock.now().getTime() + RETRY_AFTER_MS)), {
    tenantId: SYSTEM_SCOPE,
  });
}

async function lease(kernel: Kernel, refundId: string): Promise<{ intent: PaymentIntent; refund: RefundRecord } | null> {
  return kernel.db.tx(
    async (tx) => {
      const now = kernel.clock.now();
      const taken = await leaseRefundSubmission(tx, refundId, now, new Date(now.getTime() + LEASE_MS));
      if (!taken) return null;
      if (taken.firstSentAt.getTime() <= now.getTime() - RESUBMIT_WINDOW_MS) {
        await stopRefundSubmission(tx, refundId);
        kernel.logger.error(
          { refundId },
          "refund unanswered within the provider's idempotency window: no longer submitted; it stays pending for an operator",
        );
        return null;
      }
      const intent = await intentById(tx, taken.refund.paymentId);
      return intent ? { intent, refund: taken.refund } : null;
    },
    { tenantId: SYSTEM_SCOPE },
  );
}
