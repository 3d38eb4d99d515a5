-- A disabled endpoint's pending deliveries become `canceled` (final), so they leave the pending
-- indexes the delivery worker scans instead of staying pending forever.
ALTER TABLE webhooks.deliveries DROP CONSTRAINT deliveries_status_check;
ALTER TABLE webhooks.deliveries
  ADD CONSTRAINT deliveries_status_check CHECK (status IN ('pending', 'delivered', 'dead', 'canceled'));
UPDATE webhooks.deliveries d SET status = 'canceled', next_attempt_at = NULL
  FROM webhooks.endpoints e
 WHERE e.endpoint_id = d.endpoint_id AND e.status = 'disabled' AND d.status = 'pending';
