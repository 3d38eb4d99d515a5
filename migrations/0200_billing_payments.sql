-- Billing: payment intents (one per order), their refunds, and the sandbox's deadline rows.
CREATE TABLE billing.payment_intents (
  payment_id        text PRIMARY KEY,
  tenant_id         text NOT NULL,
  -- One intent per order: the unique index is what makes processPayment idempotent per order,
  -- also under concurrency (a duplicate insert waits for the first commit, then finds it).
  order_id          text NOT NULL UNIQUE,
  buyer_user_id     text NOT NULL,
  amount            bigint NOT NULL CHECK (amount > 0),
  currency          char(3) NOT NULL,
  method            text NOT NULL CHECK (method IN ('card', 'wallet')),
  provider          text NOT NULL,
  provider_ref      text,
  status            text NOT NULL CHECK (status IN ('requires_payment', 'processing', 'succeeded', 'failed', 'partially_refunded', 'refunded')),
  refunded_amount   bigint NOT NULL DEFAULT 0 CHECK (refunded_amount >= 0 AND refunded_amount <= amount),
  failure_code      text,
  failure_message   text,
  idempotency_key   text,
  request_correlation_id text,
  created_at        timestamptz NOT NULL,
  updated_at        timestamptz NOT NULL
);
CREATE UNIQUE INDEX payment_intents_provider_ref ON billing.payment_intents (provider, provider_ref) WHERE provider_ref IS NOT NULL;
ALTER TABLE billing.payment_intents ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON billing.payment_intents
  USING (tenant_id = current_setting('app.tenant_id', true) OR current_setting('app.tenant_id', true) = '*');

CREATE TABLE billing.payment_refunds (
  refund_id        text PRIMARY KEY,
  tenant_id        text NOT NULL,
  payment_id       text NOT NULL REFERENCES billing.payment_intents (payment_id),
  -- refundPayment is idempotent per (payment, refund key).
  idempotency_key  text NOT NULL,
  amount           bigint NOT NULL CHECK (amount > 0),
  reason           text NOT NULL,
  status           text NOT NULL CHECK (status IN ('pending', 'succeeded', 'failed')),
  provider_ref     text,
  created_at       timestamptz NOT NULL,
  UNIQUE (payment_id, idempotency_key)
);
ALTER TABLE billing.payment_refunds ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON billing.payment_refunds
  USING (tenant_id = current_setting('app.tenant_id', true) OR current_setting('app.tenant_id', true) = '*');

-- "Ask the provider again at due_at": a timer in the database (not setTimeout), claimed by a poller
-- with FOR UPDATE SKIP LOCKED, so it survives restarts and runs once across processes.
CREATE TABLE billing.payment_deadlines (
  payment_id  text PRIMARY KEY REFERENCES billing.payment_intents (payment_id),
  tenant_id   text NOT NULL,
  due_at      timestamptz NOT NULL
);
CREATE INDEX payment_deadlines_due ON billing.payment_deadlines (due_at);
ALTER TABLE billing.payment_deadlines ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON billing.payment_deadlines
  USING (tenant_id = current_setting('app.tenant_id', true) OR current_setting('app.tenant_id', true) = '*');
