import { SYSTEM_SCOPE, type Tx } from "../../../platform/db/db.js";
import { newId } from "../../../platform/ids.js";
import type { Kernel } from "../../../platform/kernel.js";
import { RejectionError } from "../../../platform/result.js";
import { refuse } from "../errors.js";
import type { PaymentIntent } from "../payments/payment-intent.domain.js";
import type { EventMetadata } from "../../../platform/events/envelope.js";
import { insertRefundOnce, intentById, intentByProviderRef, pendingRefunds, settleRefund } from "../payments/payment-intents.sql.js";
import { laterTrace } from "../payments/intent-requests.sql.js";
import { recordTransition } from "../payments/record-transition.js";
import { meaningOf } from "./stripe-event.js";

export const WEBHOOK_OUTCOMES = ["applied", "duplicate", "ignored", "unknown_intent", "state_conflict"] as const;
export type WebhookOutcome = (typeof WEBHOOK_OUTCOMES)[number];

/**
 * Applies one VERIFIED Stripe event, exactly once: the event id is recorded in the same transaction
 * as its effect, so a redelivery (Stripe retries, or sends twice) is a no-op, and a crash mid-way
 * leaves no record, so Stripe's retry applies it.
 */
export async function handleStripeEvent(
  kernel: Kernel,
  event: { id: string; type: string; data: { object: unknown } },
): Promise<WebhookOutcome> {
  return kernel.db.tx(
    async (tx) => {
      const now = kernel.clock.now();
      const fresh = await tx.query(
        `INSERT INTO billing.stripe_events (event_id, type, outcome, received_at) VALUES ($1, $2, 'received', $3) ON CONFLICT (event_id) DO NOTHING`,
        [event.id, event.type, now],
      );
      if (fresh.rowCount === 0) return "duplicate";
      const outcome = await apply(kernel, tx, event);
      await tx.query(`UPDATE billing.stripe_events SET outcome = $2 WHERE event_id = $1`, [event.id, outcome]);
      return outcome;
    },
    { tenantId: SYSTEM_SCOPE },
  );
}

async function apply(kernel: Kernel, tx: Tx, event: { id: string; type: string; data: { object: unknown } }): Promise<WebhookOutcome> {
  const meaning = meaningOf(event);
  if (meaning.kind === "ignored") return "ignored";
  const intent = await intentByProviderRef(tx, "stripe", meaning.providerRef);
  if (!intent) {
    // Stripe can tell of an intent before the worker that created it has recorded its reference.
    // Refused, so nothing is stored and Stripe delivers it again later, when the intent is known.
    const pending = meaning.kind === "intent" && meaning.paymentId ? await intentById(tx, meaning.paymentId) : null;
    if (pending && pending.provider === "stripe" && pending.providerRef === null && pending.status === "requires_payment") {
      throw refuse({
        code: "BILLING.WEBHOOK_TOO_EARLY",
        detail: `payment ${pending.paymentId} is still being submitted to Stripe; deliver this event again later`,
      });
    }
    return "unknown_intent";
  }
  // The Stripe delivery is the request (its event id); the trace is the one that asked for the payment.
  const trace = await laterTrace(tx, intent.paymentId, event.id);
  try {
    if (meaning.kind === "intent") {
      await recordTransition(kernel, tx, intent, meaning.command, trace);
      return "applied";
    }
    await applyRefundTotal(kernel, tx, intent, meaning.amountRefunded, event.id, trace);
    return "applied";
  } catch (error) {
    // e.g. "paid" for an intent we already failed: recorded for an operator, acknowledged to Stripe.
    if (error instanceof RejectionError) {
      kernel.logger.warn(
        { stripeEventId: event.id, paymentId: intent.paymentId, code: error.rejection.code },
        "stripe event conflicts with the payment state",
      );
      return "state_conflict";
    }
    throw error;
  }
}

/**
 * charge.refunded carries Stripe's running refunded total. What it adds beyond what we recorded
 * settles our pending refunds already sent to Stripe first (oldest first); any rest was refunded outside billing
 * (e.g. the Stripe dashboard) and is recorded as a refund of its own so the books still match.
 */
async function applyRefundTotal(
  kernel: Kernel,
  tx: Tx,
  intent: PaymentIntent,
  amountRefunded: number,
  stripeEventId: string,
  trace: { metadata: EventMetadata },
): Promise<void> {
  let current = intent;
  let delta = amountRefunded - intent.refundedAmount;
  for (const pending of await pendingRefunds(tx, intent.paymentId, { sentOnly: true })) {
    if (pending.amount > delta) break;
    await settleRefund(tx, pending.refundId, "succeeded", null);
    current = await recordTransition(kernel, tx, current, { type: "Refund", refundId: pending.refundId, amount: pending.amount }, trace);
    delta -= pending.amount;
  }
  if (delta <= 0) return;
  const refundId = newId("rfd");
  await insertRefundOnce(tx, {
    refundId,
    paymentId: intent.paymentId,
    idempotencyKey: `stripe:${stripeEventId}`,
    amount: delta,
    reason: "provider_refund",
    status: "succeeded",
    providerRef: null,
    tenantId: intent.tenantId,
    now: kernel.clock.now(),
  });
  await recordTransition(kernel, tx, current, { type: "Refund", refundId, amount: delta }, trace);
}
