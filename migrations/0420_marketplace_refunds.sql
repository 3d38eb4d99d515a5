-- Refunds (issue 6): marketplace decides the policy, billing moves the money (seed 001 §10.4).
-- One refund per order (a failed one does not count): a repeated request finds the first.
CREATE TABLE marketplace.refunds (
  refund_id         text PRIMARY KEY,
  order_id          text NOT NULL REFERENCES marketplace.orders (order_id),
  tenant_id         text NOT NULL,
  requested_by      text NOT NULL,
  reason            text NOT NULL,
  status            text NOT NULL CHECK (status IN ('refund_pending', 'refunded', 'failed')),
  partial           boolean NOT NULL,
  amount            bigint NOT NULL CHECK (amount >= 0),
  currency          char(3) NOT NULL,
  seats_refunded    integer CHECK (seats_refunded >= 1),
  billing_refund_id text,
  failure           text,
  requested_at      timestamptz NOT NULL,
  updated_at        timestamptz NOT NULL
);
CREATE UNIQUE INDEX refunds_one_per_order ON marketplace.refunds (order_id) WHERE status <> 'failed';
ALTER TABLE marketplace.refunds ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON marketplace.refunds
  USING (tenant_id = current_setting('app.tenant_id', true) OR current_setting('app.tenant_id', true) = '*');

-- What each order line gives back: seats (seat packs) or the whole license.
CREATE TABLE marketplace.refund_lines (
  refund_id        text NOT NULL REFERENCES marketplace.refunds (refund_id),
  line             integer NOT NULL,
  license_id       text,
  kind             text NOT NULL,
  seats_refunded   integer CHECK (seats_refunded >= 1),
  amount           bigint NOT NULL CHECK (amount >= 0),
  revokes_license  boolean NOT NULL,
  reversal_gross   bigint NOT NULL CHECK (reversal_gross <= 0),
  reversal_fee     bigint NOT NULL CHECK (reversal_fee <= 0),
  reversal_provider bigint NOT NULL CHECK (reversal_provider <= 0),
  PRIMARY KEY (refund_id, line),
  CHECK (reversal_gross = reversal_fee + reversal_provider)
);

-- A seat-pack refund takes its seats off the license at once (seat_total -= refunded, under the
-- license lock); refunding every seat leaves 0 seats on a license that is then revoked.
ALTER TABLE marketplace.licenses DROP CONSTRAINT licenses_seat_total_check;
ALTER TABLE marketplace.licenses ADD CONSTRAINT licenses_seat_total_check CHECK (seat_total >= 0);

-- A refund posts one reversal per order line (never an edit of the sale).
CREATE UNIQUE INDEX earnings_one_reversal_per_line ON marketplace.earnings (order_id, line) WHERE kind = 'reversal';
