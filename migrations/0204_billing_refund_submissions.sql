-- A refund through an external provider (Stripe) is submitted after the transaction that asked for
-- it commits, by billing's payment worker, as payments are (0203). submit_due_at is set while the
-- provider has not answered: when the worker may call, and moved on as a lease while it calls, or
-- after a failed call. It is cleared once an answer is recorded or the refund is settled otherwise.
ALTER TABLE billing.payment_refunds ADD COLUMN submit_due_at timestamptz;
ALTER TABLE billing.payment_refunds ADD CONSTRAINT payment_refunds_submit_only_pending CHECK (status = 'pending' OR submit_due_at IS NULL);
CREATE INDEX payment_refunds_to_submit ON billing.payment_refunds (submit_due_at) WHERE submit_due_at IS NOT NULL;
-- Set when a pass first takes the refund to the provider: from then on the provider may have it, so
-- a charge.refunded total may settle it. A refund never sent is never matched to the provider's
-- totals (it would be marked refunded and then never sent). Pending refunds from before this
-- migration were sent in the transaction that made them.
ALTER TABLE billing.payment_refunds ADD COLUMN sent_at timestamptz;
UPDATE billing.payment_refunds SET sent_at = created_at WHERE status = 'pending';
