-- Stripe webhook deliveries already applied, by Stripe's event id: a redelivery is a no-op.
CREATE TABLE billing.stripe_events (
  event_id     text PRIMARY KEY,
  type         text NOT NULL,
  outcome      text NOT NULL,
  received_at  timestamptz NOT NULL
);
