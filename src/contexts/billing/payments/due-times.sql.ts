import type { Db } from "../../../platform/db/db.js";
import { earliestIn } from "../../../platform/poller.js";

/**
 * The earliest row the payment-check worker will act on: a payment check or submission
 * (billing.payment_deadlines) or a pending refund submission; its nextDue, for the test clock.
 */
export function nextPaymentDue(db: Db): Promise<Date | null> {
  return earliestIn(
    db,
    `SELECT least((SELECT min(due_at) FROM billing.payment_deadlines),
                  (SELECT min(submit_due_at) FROM billing.payment_refunds WHERE status = 'pending')) AS due`,
  );
}
