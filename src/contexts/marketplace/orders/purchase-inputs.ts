import type { Tx } from "../../../platform/db/db.js";
import { recordHandledAtCommit } from "../../../platform/events/consumers.js";
import type { Envelope } from "../../../platform/events/envelope.js";
import type { PaymentsPort } from "../ports.js";
import type { PurchaseInput } from "./purchase-saga.js";

/** The saga's consumer: its name is the inbox identity under which its events count as handled. */
export const PURCHASE_SAGA_CONSUMER = "marketplace.purchase-saga";

/** seed 001 §5.3: the saga moves on billing's payment outcomes and on enrollment.created.v1. */
export const PURCHASE_SAGA_EVENTS = ["billing.payment.succeeded.v1", "billing.payment.failed.v1", "enrollment.created.v1"] as const;

/** The purchase an event moves on, if any. */
export function orderOf(event: Envelope): string | null {
  const payload = event.payload as Record<string, unknown>;
  if (event.type === "enrollment.created.v1") {
    // Only commerce-sourced enrollments carry an orderId (seed 000 §2.1 EP-6 subset); the saga
    // waits for the buyer's license enrollments only, not for seat or site-license ones later.
    return typeof payload.orderId === "string" && (payload.source as { kind?: string } | undefined)?.kind === "license" ? payload.orderId : null;
  }
  return String(payload.orderId);
}

/** What one of the saga's events means to it; null for a type it does not follow. */
export async function purchaseInputOf(tx: Tx, event: Envelope, payments: PaymentsPort): Promise<PurchaseInput | null> {
  const payload = event.payload as Record<string, unknown>;
  switch (event.type) {
    case "billing.payment.succeeded.v1":
      return { type: "PaymentSucceeded", paymentId: String(payload.paymentId) };
    case "billing.payment.failed.v1": {
      // seed 004 order.failed: a wallet shortfall reports what was required and what was there.
      const shortfall = payload.failureCode === "WALLET_INSUFFICIENT_BALANCE" ? await payments.shortfall(tx, String(payload.paymentId)) : null;
      return { type: "PaymentFailed", paymentId: String(payload.paymentId), failureCode: String(payload.failureCode), ...(shortfall ?? {}) };
    }
    case "enrollment.created.v1":
      return { type: "EnrollmentCreated", enrollmentId: String(payload.enrollmentId) };
    default:
      return null;
  }
}

/**
 * One of the saga's events written in this same transaction, taken now instead of from the bus:
 * the inbox records it as the saga consumer's, so the bus's copy arrives as a redelivery and
 * changes nothing.
 */
export async function takeHere(tx: Tx, event: Envelope, payments: PaymentsPort): Promise<PurchaseInput> {
  const input = await purchaseInputOf(tx, event, payments);
  if (!input) throw new Error(`the purchase saga does not follow ${event.type}`);
  recordHandledAtCommit(tx, PURCHASE_SAGA_CONSUMER, event.eventId);
  return input;
}
