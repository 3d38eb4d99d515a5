-- Marketplace is out of PCI scope (seed 001 §4, §10.8): the buyer's card token / Stripe PaymentMethod
-- id goes to billing in the transaction that places the order (billing keeps it on its own rows for
-- resubmission) and is never written here. Existing values are dropped with the column: every order
-- that had one already handed it to billing when it was placed, so nothing still needs it here.
ALTER TABLE marketplace.orders DROP COLUMN payment_token;
