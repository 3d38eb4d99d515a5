-- A payment method kept on file for charges made without the buyer present (renewals). Billing
-- keeps it, not the marketplace: the marketplace holds only the owner reference (an order id first,
-- later a subscription id), so card references stay in the context that talks to providers.
-- `token` is a provider's reference (a sandbox token, a Stripe PaymentMethod id), never card data;
-- a wallet needs none. `provider` is the card provider the token belongs to ('wallet' for a wallet):
-- a token of one provider cannot be charged through another. `charges` counts the charges made with
-- this method (the sandbox's tok_decline_after_first reads it); replacing the method starts it again.
CREATE TABLE billing.methods_on_file (
  owner_ref      text PRIMARY KEY,
  tenant_id      text NOT NULL,
  buyer_user_id  text NOT NULL,
  method         text NOT NULL CHECK (method IN ('card', 'wallet')),
  token          text,
  provider       text NOT NULL,
  charges        integer NOT NULL DEFAULT 0 CHECK (charges >= 0),
  created_at     timestamptz NOT NULL,
  updated_at     timestamptz NOT NULL,
  CHECK ((method = 'card') = (token IS NOT NULL))
);
ALTER TABLE billing.methods_on_file ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON billing.methods_on_file
  USING (tenant_id = current_setting('app.tenant_id', true) OR current_setting('app.system_scope', true) = 'on');
