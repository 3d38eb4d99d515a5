-- Signed outbound webhooks (issue 21): a tenant's endpoints, and one delivery per (endpoint, event)
-- that the delivery worker posts until it is answered 2xx or its retry schedule runs out.
CREATE SCHEMA IF NOT EXISTS webhooks;
GRANT USAGE ON SCHEMA webhooks TO ghasi_app;
ALTER DEFAULT PRIVILEGES IN SCHEMA webhooks GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO ghasi_app;
ALTER DEFAULT PRIVILEGES IN SCHEMA webhooks GRANT USAGE, SELECT ON SEQUENCES TO ghasi_app;

CREATE TABLE webhooks.endpoints (
  endpoint_id     text PRIMARY KEY,
  tenant_id       text NOT NULL,
  url             text NOT NULL,
  -- Wire types, or prefixes ending with a dot (`marketplace.order.`).
  events          text[] NOT NULL,
  -- whsec_…: kept as given, since every delivery is signed with it; shown only in the creation's answer.
  secret          text NOT NULL,
  status          text NOT NULL DEFAULT 'enabled' CHECK (status IN ('enabled', 'disabled')),
  disabled_reason text CHECK (disabled_reason IN ('deleted', 'gone')),
  disabled_at     timestamptz,
  created_by      text NOT NULL,
  created_at      timestamptz NOT NULL
);
CREATE INDEX endpoints_by_tenant ON webhooks.endpoints (tenant_id, endpoint_id);
CREATE INDEX endpoints_enabled ON webhooks.endpoints (tenant_id) WHERE status = 'enabled';

CREATE TABLE webhooks.deliveries (
  -- The webhook-id header: derived from (endpoint, event), the same on every attempt and replay.
  delivery_id     text PRIMARY KEY,
  tenant_id       text NOT NULL,
  endpoint_id     text NOT NULL REFERENCES webhooks.endpoints (endpoint_id),
  event_id        text NOT NULL,
  event_type      text NOT NULL,
  partition_key   text NOT NULL,
  occurred_at     timestamptz NOT NULL,
  -- The event's outbox position: a partition key's deliveries are sent in this order, whatever order
  -- the bus brought them to the fan-out in (one durable per wire type keeps order within a type only).
  position        bigint NOT NULL,
  -- The order deliveries were recorded in: the deliveries list pages by it.
  seq             bigserial NOT NULL,
  -- The envelope's JSON, the exact bytes signed and sent on every attempt.
  body            text NOT NULL,
  status          text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'dead')),
  attempts        integer NOT NULL DEFAULT 0,
  next_attempt_at timestamptz,
  last_attempt_at timestamptz,
  response_status integer,
  response_body   text,
  last_error      text,
  delivered_at    timestamptz,
  created_at      timestamptz NOT NULL,
  UNIQUE (endpoint_id, event_id)
);
CREATE INDEX deliveries_due ON webhooks.deliveries (next_attempt_at) WHERE status = 'pending';
CREATE INDEX deliveries_key_order ON webhooks.deliveries (endpoint_id, partition_key, position) WHERE status = 'pending';
CREATE INDEX deliveries_listed ON webhooks.deliveries (endpoint_id, seq);

ALTER TABLE webhooks.endpoints ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON webhooks.endpoints
  USING (tenant_id = current_setting('app.tenant_id', true) OR current_setting('app.system_scope', true) = 'on');
ALTER TABLE webhooks.deliveries ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON webhooks.deliveries
  USING (tenant_id = current_setting('app.tenant_id', true) OR current_setting('app.system_scope', true) = 'on');
