import type { Tx } from "../../../platform/db/db.js";
import type { EventMetadata } from "../../../platform/events/envelope.js";
import type { Kernel } from "../../../platform/kernel.js";
import { refuse } from "../errors.js";
import type { PaymentMethodInput } from "./methods-on-file.js";
import { countChargeOnFile, lockedMethodOnFile } from "./methods-on-file.sql.js";
import type { PaymentProviders } from "./payment-providers.js";
import type { PaymentResult } from "./payment-view.js";
import { payOnce } from "./process-payment.js";

export interface ChargeMethodOnFileInput {
  ownerRef: string;
  /**
   * The payment's reference, used as its intent's order id: one payment per chargeRef, so a repeated
   * call never charges twice (the marketplace derives it from subscription + period + attempt).
   */
  chargeRef: string;
  tenantId: string;
  buyerUserId: string;
  amount: number;
  currency: string;
  correlationId: string;
  /** A renewal's own trace (the system acts, no request): the charge's events carry it. */
  metadata?: EventMetadata;
}

/**
 * Charges the method kept under `ownerRef` without the buyer present (a renewal). The row is locked
 * first, so charges on one method are made one after the other and each sees the count the one
 * before left; only the call that creates the payment counts it. The outcome is the payment's, as
 * for processPayment (billing.payment.succeeded/failed.v1 with orderId = chargeRef).
 * With an external provider (Stripe) the payment is requires_payment: the worker sends it after
 * this transaction commits, off-session, attached to the buyer's Customer (see off-session.ts).
 * Refuses BILLING.NO_METHOD_ON_FILE, BILLING.OFF_SESSION_UNSUPPORTED (a card with an external
 * provider that cannot charge without the buyer), and processPayment's refusals.
 */
export async function chargeMethodOnFile(
  kernel: Kernel,
  providers: PaymentProviders,
  tx: Tx,
  input: ChargeMethodOnFileInput,
  submissionDue: () => void,
): Promise<{ payment: PaymentResult; created: boolean }> {
  const onFile = await lockedMethodOnFile(tx, input.ownerRef);
  // Another buyer's method is not this buyer's to charge, and is not shown to exist.
  if (!onFile || onFile.tenantId !== input.tenantId || onFile.buyerUserId !== input.buyerUserId)
    throw refuse({ code: "BILLING.NO_METHOD_ON_FILE", detail: `nothing is on file for ${input.ownerRef}`, field: "ownerRef" });
  let method: PaymentMethodInput = { method: "wallet" };
  if (onFile.method === "card") {
    // An external provider charges a kept method again only through its off-session calls (Stripe:
    // attached to the buyer's Customer); one without them would refuse the charge, so say so now.
    if (providers.card.external && !providers.card.offSession)
      throw refuse({ code: "BILLING.OFF_SESSION_UNSUPPORTED", detail: `${providers.card.name} cards cannot be charged off-session` });
    if (onFile.provider !== providers.card.name)
      throw refuse({
        code: "BILLING.NO_METHOD_ON_FILE",
        detail: `the card on file is a ${onFile.provider} card; ${providers.card.name} takes card payments now`,
        field: "ownerRef",
      });
    method = { method: "card", token: onFile.token! };
  }
  const paid = await payOnce(
    kernel,
    providers,
    tx,
    {
      orderId: input.chargeRef,
      tenantId: input.tenantId,
      buyerUserId: input.buyerUserId,
      amount: input.amount,
      currency: input.currency,
      method,
      correlationId: input.correlationId,
      idempotencyKey: `charge:${input.chargeRef}`,
      ...(input.metadata ? { metadata: input.metadata } : {}),
    },
    submissionDue,
    onFile.charges,
    "off_session",
  );
  if (paid.created) countChargeOnFile(tx, input.ownerRef, kernel.clock.now());
  return paid;
}
