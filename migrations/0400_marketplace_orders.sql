-- Marketplace: coupons, orders and their lines, licenses, the provider earnings ledger.
CREATE TABLE marketplace.coupons (
  coupon_id        text PRIMARY KEY,
  code             text NOT NULL UNIQUE,
  percent_off      integer CHECK (percent_off BETWEEN 1 AND 100),
  amount_off       bigint CHECK (amount_off > 0),
  currency         char(3),
  max_redemptions  integer CHECK (max_redemptions >= 1),
  max_per_user     integer CHECK (max_per_user >= 1),
  -- Reserved plus confirmed redemptions; released ones are given back (compensation).
  redeemed         integer NOT NULL DEFAULT 0 CHECK (redeemed >= 0),
  valid_from       timestamptz,
  valid_until      timestamptz,
  tenant_ids       text[] NOT NULL DEFAULT '{}',
  listing_ids      text[] NOT NULL DEFAULT '{}',
  min_order_amount bigint CHECK (min_order_amount >= 0),
  provider_id      text,
  created_at       timestamptz NOT NULL,
  CHECK ((percent_off IS NULL) <> (amount_off IS NULL)),
  -- Invariant 6: the cap is a constraint, so even a buggy caller cannot over-redeem.
  CHECK (max_redemptions IS NULL OR redeemed <= max_redemptions)
);

CREATE TABLE marketplace.orders (
  order_id           text PRIMARY KEY,
  tenant_id          text NOT NULL,
  buyer_user_id      text NOT NULL,
  status             text NOT NULL CHECK (status IN ('placed', 'awaiting_payment', 'licensing', 'enrolling', 'fulfilled', 'failed', 'refund_pending', 'refunded')),
  currency           char(3) NOT NULL,
  subtotal           bigint NOT NULL CHECK (subtotal >= 0),
  discount           bigint NOT NULL CHECK (discount >= 0 AND discount <= subtotal),
  tax                bigint NOT NULL CHECK (tax >= 0),
  tax_inclusive      boolean NOT NULL,
  total              bigint NOT NULL CHECK (total >= 0),
  coupon_id          text REFERENCES marketplace.coupons (coupon_id),
  coupon_code        text,
  payment_method     text NOT NULL CHECK (payment_method IN ('card', 'wallet')),
  payment_token      text,
  payment_id         text,
  billing_country    char(2),
  refund_policy_id   text,
  refund_period_days integer,
  refund_deadline    timestamptz,
  failure            jsonb,
  placed_at          timestamptz NOT NULL,
  updated_at         timestamptz NOT NULL
);
CREATE INDEX orders_by_buyer ON marketplace.orders (buyer_user_id, placed_at);
CREATE INDEX orders_by_tenant ON marketplace.orders (tenant_id, placed_at);
ALTER TABLE marketplace.orders ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON marketplace.orders
  USING (tenant_id = current_setting('app.tenant_id', true) OR current_setting('app.tenant_id', true) = '*');

CREATE TABLE marketplace.order_items (
  order_id          text NOT NULL REFERENCES marketplace.orders (order_id),
  line              integer NOT NULL,
  listing_id        text NOT NULL,
  plan_id           text NOT NULL,
  plan_version      integer NOT NULL,
  kind              text NOT NULL,
  course_id         text NOT NULL,
  course_version_id text NOT NULL,
  provider_id       text NOT NULL,
  quantity          integer NOT NULL CHECK (quantity >= 1),
  unit_amount       bigint NOT NULL CHECK (unit_amount >= 0),
  amount            bigint NOT NULL CHECK (amount >= 0),
  billing_interval  text,
  validity_days     integer,
  perpetual_offline boolean NOT NULL,
  PRIMARY KEY (order_id, line),
  FOREIGN KEY (plan_id, plan_version) REFERENCES marketplace.plan_versions (plan_id, version)
);

CREATE TABLE marketplace.coupon_redemptions (
  order_id   text PRIMARY KEY REFERENCES marketplace.orders (order_id),
  coupon_id  text NOT NULL REFERENCES marketplace.coupons (coupon_id),
  user_id    text NOT NULL,
  status     text NOT NULL CHECK (status IN ('reserved', 'released')),
  updated_at timestamptz NOT NULL
);
CREATE INDEX coupon_redemptions_by_user ON marketplace.coupon_redemptions (coupon_id, user_id) WHERE status = 'reserved';

CREATE TABLE marketplace.licenses (
  license_id        text PRIMARY KEY,
  order_id          text NOT NULL REFERENCES marketplace.orders (order_id),
  line              integer NOT NULL,
  tenant_id         text NOT NULL,
  buyer_user_id     text NOT NULL,
  listing_id        text NOT NULL,
  course_id         text NOT NULL,
  course_version_id text NOT NULL,
  kind              text NOT NULL CHECK (kind IN ('one_time', 'subscription', 'seat_pack', 'site_license')),
  state             text NOT NULL CHECK (state IN ('active', 'expired', 'revoked')),
  -- A counter, not a row per seat (DESIGN §8): a million-seat license is one row.
  seat_total        integer CHECK (seat_total >= 1),
  seats_assigned    integer NOT NULL DEFAULT 0 CHECK (seats_assigned >= 0),
  valid_from        timestamptz NOT NULL,
  valid_until       timestamptz,
  perpetual_offline boolean NOT NULL,
  revoked_reason    text,
  created_at        timestamptz NOT NULL,
  updated_at        timestamptz NOT NULL,
  UNIQUE (order_id, line),
  CHECK (seat_total IS NULL OR seats_assigned <= seat_total)
);
CREATE INDEX licenses_by_tenant ON marketplace.licenses (tenant_id, course_id) WHERE state = 'active';
ALTER TABLE marketplace.licenses ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON marketplace.licenses
  USING (tenant_id = current_setting('app.tenant_id', true) OR current_setting('app.tenant_id', true) = '*');

-- Earnings are entries, never edits: a refund posts a negative entry (reversal).
CREATE TABLE marketplace.earnings (
  entry_id        text PRIMARY KEY,
  provider_id     text NOT NULL,
  order_id        text NOT NULL REFERENCES marketplace.orders (order_id),
  line            integer NOT NULL,
  kind            text NOT NULL CHECK (kind IN ('sale', 'reversal')),
  gross           bigint NOT NULL,
  platform_fee    bigint NOT NULL,
  provider_amount bigint NOT NULL,
  currency        char(3) NOT NULL,
  matures_at      timestamptz,
  payout_id       text,
  created_at      timestamptz NOT NULL,
  CHECK (gross = platform_fee + provider_amount)
);
CREATE UNIQUE INDEX earnings_one_sale_per_line ON marketplace.earnings (order_id, line) WHERE kind = 'sale';
CREATE INDEX earnings_by_provider ON marketplace.earnings (provider_id, currency, created_at);
