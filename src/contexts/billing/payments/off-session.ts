import { SYSTEM_SCOPE } from "../../../platform/db/db.js";
import type { Kernel } from "../../../platform/kernel.js";
import type { PaymentIntent } from "./payment-intent.domain.js";
import type { CardUse } from "./payment-intents.sql.js";
import { ProviderRefusal, type OffSessionCharges, type PaymentProvider, type ProviderAnswer } from "./payment-provider.js";
import { attachedCustomer, customerOf, markAttached, recordCustomer, type BuyerAtProvider } from "./provider-customers.sql.js";
import { askProvider } from "./submit-payment.js";

/**
 * What the payment worker sends for one card submission, outside any transaction, and how.
 * `attachedTo`: the Customer the provider attaches the method to if this payment succeeds (a first
 * payment kept for later), for the caller to record with the answer.
 */
export interface SentCard {
  answer: ProviderAnswer;
  attachedTo?: string;
}

/**
 * Sends a card submission: an ordinary purchase; the first payment of an order that renews, with
 * the buyer's Customer and setup_future_usage; or a charge without the buyer, once the method is
 * attached to that Customer. A request the provider will never take (ProviderRefusal) is a failed
 * answer; other errors are thrown and the worker asks again later with the same keys.
 */
export async function sendCard(
  kernel: Kernel,
  provider: PaymentProvider,
  intent: PaymentIntent,
  token: string,
  use: CardUse | null,
): Promise<SentCard> {
  try {
    const offSession = provider.offSession;
    if (use === null || !offSession) {
      if (use === "off_session") return refused("off_session_unsupported", `${provider.name} cannot charge without the buyer`);
      return { answer: await askProvider(provider, intent, token) };
    }
    const buyer = { tenantId: intent.tenantId, buyerUserId: intent.buyerUserId, provider: provider.name };
    const customerRef = await customerFor(kernel, offSession, buyer);
    if (use === "save") return { answer: await askProvider(provider, intent, token, 0, { customerRef }), attachedTo: customerRef };
    await attachOnce(kernel, offSession, buyer, token, customerRef);
    const answer = await offSession.chargeOffSession({
      paymentId: intent.paymentId,
      orderId: intent.orderId,
      amount: intent.amount,
      currency: intent.currency,
      token,
      customerRef,
      // The intent's order id is the charge reference (subscription, period, attempt).
      idempotencyKey: `charge:${intent.orderId}`,
    });
    return { answer };
  } catch (error) {
    if (error instanceof ProviderRefusal) return refused(error.failureCode, error.message);
    throw error;
  }
}

const refused = (failureCode: string, failureMessage: string): SentCard => ({
  answer: { providerRef: null, outcome: { status: "failed", failureCode, failureMessage } },
});

/**
 * The buyer's Customer at the provider: the one on record, or one created now and recorded. The key
 * is the buyer's, so two passes (or a pass after a crash before recording) get Stripe's first
 * Customer back; the first recorded is the one used from then on.
 */
async function customerFor(kernel: Kernel, offSession: OffSessionCharges, buyer: BuyerAtProvider): Promise<string> {
  const known = await kernel.db.tx((tx) => customerOf(tx, buyer), { tenantId: SYSTEM_SCOPE });
  if (known) return known;
  const { customerRef } = await offSession.createCustomer({
    tenantId: buyer.tenantId,
    buyerUserId: buyer.buyerUserId,
    idempotencyKey: `customer:${buyer.tenantId}:${buyer.buyerUserId}`,
  });
  return kernel.db.tx((tx) => recordCustomer(tx, buyer, customerRef, kernel.clock.now()), { tenantId: SYSTEM_SCOPE });
}

/**
 * A method kept by the buyer without a payment (a new card for a subscription) is attached before
 * its first charge; one already attached (by its first payment's setup_future_usage, or an earlier
 * attach) is not sent again. Recorded at once, so a charge that then fails does not attach again.
 */
async function attachOnce(kernel: Kernel, offSession: OffSessionCharges, buyer: BuyerAtProvider, token: string, customerRef: string) {
  const attached = await kernel.db.tx((tx) => attachedCustomer(tx, buyer, token), { tenantId: SYSTEM_SCOPE });
  if (attached === customerRef) return;
  await offSession.attachMethod({ token, customerRef, idempotencyKey: `attach:${customerRef}:${token}` });
  await kernel.db.tx((tx) => markAttached(tx, buyer, token, customerRef), { tenantId: SYSTEM_SCOPE });
}
