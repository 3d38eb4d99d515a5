-- The webhooks delivery gate asks, for a delivery about to be sent, whether an earlier event of the
-- same tenant and partition key from the last hour is still waiting to be fanned out
-- (src/contexts/webhooks/deliveries/deliveries.sql.ts, HEADS): a range lookup on this that reads only
-- the key's recent events, not a scan of the event log nor of a long-lived key's whole history.
CREATE INDEX outbox_by_tenant_key_time ON platform.outbox (tenant_id, partition_key, occurred_at);
