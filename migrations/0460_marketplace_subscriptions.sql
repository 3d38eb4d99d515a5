-- A seat pack's plan may cap how many of its seats an org admin releases per period (Open edX
-- license-manager's revocation cap): a percentage of the pack, null for no cap.
ALTER TABLE marketplace.plan_versions ADD COLUMN revocation_cap_percent integer CHECK (revocation_cap_percent BETWEEN 0 AND 100);

-- Subscriptions (issue 20): one per fulfilled order line of a recurring plan (a subscription, or a
-- seat pack or site licence sold with an interval). The row mirrors the
-- state of its saga (platform.saga_instances, type marketplace.subscription), written with it at
-- commit; the saga's deadlines (renewal, dunning retries, grace end, final cancellation, period end)
-- are platform.saga_deadlines rows.
CREATE TABLE marketplace.subscriptions (
  subscription_id      text PRIMARY KEY,
  tenant_id            text NOT NULL,
  order_id             text NOT NULL REFERENCES marketplace.orders (order_id),
  line                 integer NOT NULL,
  license_id           text NOT NULL UNIQUE REFERENCES marketplace.licenses (license_id),
  listing_id           text NOT NULL,
  plan_id              text NOT NULL,
  plan_version         integer NOT NULL,
  kind                 text NOT NULL CHECK (kind IN ('subscription', 'seat_pack', 'site_license')),
  provider_id          text NOT NULL,
  buyer_user_id        text NOT NULL,
  billing_interval     text NOT NULL CHECK (billing_interval IN ('month', 'year')),
  -- What one period costs at the held plan version: the plan's price, and the charge with tax.
  price                bigint NOT NULL CHECK (price >= 0),
  charge               bigint NOT NULL CHECK (charge >= price),
  currency             char(3) NOT NULL,
  -- How the order was taxed, so a changed plan's charge is taxed the same way.
  tax_country          char(2),
  tax_inclusive        boolean NOT NULL DEFAULT false,
  -- A seat pack's seats (renewed at this count), and the plan's revocation cap; null otherwise.
  seats                integer CHECK (seats >= 1),
  revocation_cap_percent integer,
  -- A change asked for with change-plan, taking effect at the next paid renewal; null when none.
  next_plan_version    integer,
  next_seats           integer CHECK (next_seats >= 1),
  next_price           bigint,
  next_charge          bigint,
  -- Billing's key for the payment method on file (the order's, until the subscriber gives a new one).
  method_ref           text NOT NULL,
  status               text NOT NULL CHECK (status IN ('active', 'past_due', 'suspended', 'canceled', 'expired')),
  period               integer NOT NULL CHECK (period >= 0),
  current_period_start timestamptz NOT NULL,
  current_period_end   timestamptz NOT NULL,
  cancel_at_period_end boolean NOT NULL DEFAULT false,
  past_due_since       timestamptz,
  ended_at             timestamptz,
  ended_reason         text,
  created_at           timestamptz NOT NULL,
  updated_at           timestamptz NOT NULL,
  -- One subscription per order line, whatever happens twice.
  UNIQUE (order_id, line)
);
CREATE INDEX subscriptions_by_buyer ON marketplace.subscriptions (buyer_user_id, subscription_id);
CREATE INDEX subscriptions_by_tenant ON marketplace.subscriptions (tenant_id, subscription_id);
ALTER TABLE marketplace.subscriptions ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON marketplace.subscriptions
  USING (tenant_id = current_setting('app.tenant_id', true) OR current_setting('app.system_scope', true) = 'on');

-- Each charge for a period: the order's payment is period 0; a renewal's attempts follow. One row
-- per (subscription, period, attempt): a crash or a redelivered event never adds a second.
CREATE TABLE marketplace.subscription_charges (
  subscription_id text NOT NULL REFERENCES marketplace.subscriptions (subscription_id),
  period          integer NOT NULL CHECK (period >= 0),
  attempt         integer NOT NULL CHECK (attempt >= 1),
  tenant_id       text NOT NULL,
  payment_id      text,
  status          text NOT NULL CHECK (status IN ('pending', 'succeeded', 'failed')),
  failure_code    text,
  at              timestamptz NOT NULL,
  PRIMARY KEY (subscription_id, period, attempt)
);
ALTER TABLE marketplace.subscription_charges ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON marketplace.subscription_charges
  USING (tenant_id = current_setting('app.tenant_id', true) OR current_setting('app.system_scope', true) = 'on');

-- A renewal earns the provider its share once per period: the sale index now counts periods (the
-- order's own sale is period 0). A refund reverses the order's payment, so period 0 only.
ALTER TABLE marketplace.earnings ADD COLUMN period integer NOT NULL DEFAULT 0;
DROP INDEX marketplace.earnings_one_sale_per_line;
CREATE UNIQUE INDEX earnings_one_sale_per_period ON marketplace.earnings (order_id, line, period) WHERE kind = 'sale';
