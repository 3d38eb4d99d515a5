-- A refund through an external provider (Stripe) is submitted after the transaction that asked for
-- it commits, by billing's payment worker, as payments are (0203). submit_due_at is set while the
-- provider has not answered: when the worker may call, and moved on as a lease while it calls, or
-- after a failed call. It is cleared once an answer is recorded or the refund is settled otherwise.
ALTER TABLE billing.payment_refunds ADD COLUMN submit_due_at timestamptz;
CREATE INDEX payment_refunds_to_submit ON billing.payment_refunds (submit_due_at) WHERE submit_due_at IS NOT NULL;
