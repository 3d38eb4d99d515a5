-- The webhooks delivery gate asks, for a delivery about to be sent, whether an earlier event of the
-- same tenant and partition key is still waiting to be fanned out (src/contexts/webhooks/deliveries/
-- deliveries.sql.ts, HEADS): an index lookup on this, not a scan of the event log.
CREATE INDEX outbox_by_tenant_key ON platform.outbox (tenant_id, partition_key, position);
