-- Off-session charges with Stripe (issue 20). Stripe charges a saved PaymentMethod again only once
-- it is attached to a Customer, so billing keeps one Customer per (tenant, buyer) and provider,
-- created by the payment worker (outside any transaction that could roll back, with an idempotency
-- key derived from tenant and buyer) and recorded here. The first one recorded is the buyer's.
CREATE TABLE billing.provider_customers (
  tenant_id      text NOT NULL,
  buyer_user_id  text NOT NULL,
  provider       text NOT NULL,
  customer_ref   text NOT NULL,
  created_at     timestamptz NOT NULL,
  PRIMARY KEY (tenant_id, buyer_user_id, provider)
);
ALTER TABLE billing.provider_customers ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON billing.provider_customers
  USING (tenant_id = current_setting('app.tenant_id', true) OR current_setting('app.system_scope', true) = 'on');

-- The Customer a card on file is attached to at the provider (null: not attached yet, so the worker
-- attaches it before its first off-session charge). A token is one PaymentMethod whatever the row
-- that holds it, so the worker reads and marks it across the buyer's rows: hence the index.
ALTER TABLE billing.methods_on_file ADD COLUMN attached_to text;
CREATE INDEX methods_on_file_buyer ON billing.methods_on_file (tenant_id, buyer_user_id);

-- How the worker sends a card submission (card_token set): null an ordinary purchase; 'save' the
-- first payment of an order that renews (sent with the buyer's Customer and setup_future_usage, so
-- the provider keeps the method); 'off_session' a charge of a method on file without the buyer.
ALTER TABLE billing.payment_deadlines ADD COLUMN card_use text CHECK (card_use IN ('save', 'off_session'));
