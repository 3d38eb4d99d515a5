-- The application role: not a superuser and not the owner of any table, so row-level security applies.
DO $$ BEGIN
  CREATE ROLE ghasi_app NOLOGIN;
EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
END $$;

CREATE SCHEMA IF NOT EXISTS platform;
CREATE SCHEMA IF NOT EXISTS tenancy;
CREATE SCHEMA IF NOT EXISTS catalog;
CREATE SCHEMA IF NOT EXISTS marketplace;
CREATE SCHEMA IF NOT EXISTS billing;
CREATE SCHEMA IF NOT EXISTS enrollment;

GRANT USAGE ON SCHEMA platform, tenancy, catalog, marketplace, billing, enrollment TO ghasi_app;
ALTER DEFAULT PRIVILEGES IN SCHEMA platform, tenancy, catalog, marketplace, billing, enrollment
  GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO ghasi_app;
ALTER DEFAULT PRIVILEGES IN SCHEMA platform, tenancy, catalog, marketplace, billing, enrollment
  GRANT USAGE, SELECT ON SEQUENCES TO ghasi_app;

-- Transactional outbox. Rows stay after publishing: they are the published event log (GET /ops/events).
CREATE TABLE platform.outbox (
  position       bigserial PRIMARY KEY,
  event_id       text NOT NULL UNIQUE,
  type           text NOT NULL,
  partition_key  text NOT NULL,
  bucket         smallint NOT NULL CHECK (bucket >= 0 AND bucket < 16),
  aggregate_id   text NOT NULL,
  correlation_id text,
  tenant_id      text,
  occurred_at    timestamptz NOT NULL,
  envelope       jsonb NOT NULL,
  published_at   timestamptz
);
CREATE INDEX outbox_pending ON platform.outbox (bucket, position) WHERE published_at IS NULL;
CREATE INDEX outbox_by_type ON platform.outbox (type, position);
CREATE INDEX outbox_by_aggregate ON platform.outbox (aggregate_id, position);
CREATE INDEX outbox_by_correlation ON platform.outbox (correlation_id, position);

-- One lockable row per bucket: the relay claims a bucket with SKIP LOCKED, which keeps per-key order.
CREATE TABLE platform.outbox_buckets (bucket smallint PRIMARY KEY);
INSERT INTO platform.outbox_buckets SELECT generate_series(0, 15);

CREATE TABLE platform.inbox (
  consumer     text NOT NULL,
  event_id     text NOT NULL,
  processed_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (consumer, event_id)
);

CREATE TABLE platform.consumer_retries (
  consumer        text NOT NULL,
  event_id        text NOT NULL,
  envelope        jsonb NOT NULL,
  attempts        integer NOT NULL CHECK (attempts BETWEEN 1 AND 5),
  next_attempt_at timestamptz NOT NULL,
  history         jsonb NOT NULL,
  PRIMARY KEY (consumer, event_id)
);
CREATE INDEX consumer_retries_due ON platform.consumer_retries (next_attempt_at);

CREATE TABLE platform.dead_letters (
  id          text PRIMARY KEY,
  queue       text NOT NULL,
  consumer    text NOT NULL,
  event_id    text NOT NULL,
  type        text NOT NULL,
  envelope    jsonb NOT NULL,
  last_error  text NOT NULL,
  history     jsonb NOT NULL,
  dead_at     timestamptz NOT NULL,
  replayed_at timestamptz,
  UNIQUE (consumer, event_id)
);

-- Idempotency-Key records, written in the same transaction as the effect they remember.
CREATE TABLE platform.idempotency_keys (
  scope        text NOT NULL,
  key          text NOT NULL,
  request_hash text NOT NULL,
  status       integer,
  response     jsonb,
  created_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (scope, key)
);
