-- Payouts (issue 6): a run per schedule period, a batch per provider and currency, a line per order.
CREATE TABLE marketplace.payout_runs (
  payout_run_id  text PRIMARY KEY,
  schedule       text NOT NULL CHECK (schedule IN ('weekly', 'monthly')),
  period_start   timestamptz NOT NULL,
  period_end     timestamptz NOT NULL,
  minimum_amount bigint NOT NULL CHECK (minimum_amount >= 0),
  result         jsonb,
  created_by     text NOT NULL,
  created_at     timestamptz NOT NULL,
  -- Idempotent per period: a second run of the same period finds the first.
  UNIQUE (schedule, period_end)
);

CREATE TABLE marketplace.payout_batches (
  batch_id      text PRIMARY KEY,
  payout_run_id text NOT NULL REFERENCES marketplace.payout_runs (payout_run_id),
  provider_id   text NOT NULL,
  currency      char(3) NOT NULL,
  amount        bigint NOT NULL CHECK (amount > 0),
  status        text NOT NULL CHECK (status IN ('recorded', 'transferred', 'transfer_failed')),
  transfer_ref  text,
  failure       text,
  created_at    timestamptz NOT NULL,
  updated_at    timestamptz NOT NULL,
  UNIQUE (payout_run_id, provider_id, currency)
);
CREATE INDEX payout_batches_by_provider ON marketplace.payout_batches (provider_id, currency, created_at);

CREATE TABLE marketplace.payout_lines (
  batch_id text NOT NULL REFERENCES marketplace.payout_batches (batch_id),
  order_id text NOT NULL,
  amount   bigint NOT NULL,
  PRIMARY KEY (batch_id, order_id)
);

-- What a run scans: unpaid entries by maturity.
CREATE INDEX earnings_unpaid ON marketplace.earnings (matures_at) WHERE payout_id IS NULL;
