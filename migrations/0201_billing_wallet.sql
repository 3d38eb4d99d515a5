-- Learner-credit wallet: one balance row per (tenant, user, currency, bucket) plus an immutable ledger.
CREATE TABLE billing.wallet_balances (
  tenant_id   text NOT NULL,
  user_id     text NOT NULL,
  currency    char(3) NOT NULL,
  bucket      text NOT NULL CHECK (bucket IN ('promo', 'branded', 'general')),
  -- Invariant 6: the database refuses a negative balance whatever the application does.
  balance     bigint NOT NULL CHECK (balance >= 0),
  updated_at  timestamptz NOT NULL,
  PRIMARY KEY (tenant_id, user_id, currency, bucket)
);
ALTER TABLE billing.wallet_balances ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON billing.wallet_balances
  USING (tenant_id = current_setting('app.tenant_id', true) OR current_setting('app.tenant_id', true) = '*');

-- One row per wallet command, claimed by its idempotency key BEFORE any balance is read (invariant 7).
CREATE TABLE billing.wallet_operations (
  operation_id     text PRIMARY KEY,
  tenant_id        text NOT NULL,
  idempotency_key  text NOT NULL,
  kind             text NOT NULL CHECK (kind IN ('credit', 'debit', 'refund')),
  user_id          text NOT NULL,
  currency         char(3) NOT NULL,
  order_id         text,
  amount           bigint NOT NULL CHECK (amount >= 0),
  outcome          text CHECK (outcome IN ('applied', 'insufficient_balance')),
  result           jsonb,
  created_at       timestamptz NOT NULL,
  UNIQUE (tenant_id, idempotency_key)
);
ALTER TABLE billing.wallet_operations ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON billing.wallet_operations
  USING (tenant_id = current_setting('app.tenant_id', true) OR current_setting('app.tenant_id', true) = '*');

-- The ledger: rows are facts, never updated or deleted (the app role may only insert and read).
CREATE TABLE billing.wallet_transactions (
  transaction_id   text PRIMARY KEY,
  operation_id     text NOT NULL REFERENCES billing.wallet_operations (operation_id),
  tenant_id        text NOT NULL,
  user_id          text NOT NULL,
  currency         char(3) NOT NULL,
  bucket           text NOT NULL CHECK (bucket IN ('promo', 'branded', 'general')),
  kind             text NOT NULL CHECK (kind IN ('credit', 'debit', 'refund')),
  amount           bigint NOT NULL CHECK (amount > 0),
  balance_before   bigint NOT NULL CHECK (balance_before >= 0),
  balance_after    bigint NOT NULL CHECK (balance_after >= 0),
  order_id         text,
  reverses_transaction_id text REFERENCES billing.wallet_transactions (transaction_id),
  created_at       timestamptz NOT NULL,
  CHECK (balance_after = CASE WHEN kind = 'debit' THEN balance_before - amount ELSE balance_before + amount END)
);
CREATE INDEX wallet_transactions_by_order ON billing.wallet_transactions (order_id) WHERE order_id IS NOT NULL;
CREATE INDEX wallet_transactions_by_user ON billing.wallet_transactions (tenant_id, user_id, created_at);
CREATE INDEX wallet_transactions_reversals ON billing.wallet_transactions (reverses_transaction_id) WHERE reverses_transaction_id IS NOT NULL;
ALTER TABLE billing.wallet_transactions ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON billing.wallet_transactions
  USING (tenant_id = current_setting('app.tenant_id', true) OR current_setting('app.tenant_id', true) = '*');
REVOKE UPDATE, DELETE, TRUNCATE ON billing.wallet_transactions FROM ghasi_app;
