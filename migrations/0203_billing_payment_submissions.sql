-- A payment for an external provider (Stripe) is submitted after the transaction that created it
-- commits, by the same deadline-row worker: a row whose card_token is set means "submit this intent
-- with this PaymentMethod id" (a provider's reference, never card data). Once submitted, the row
-- (if any) is an ordinary "ask again" check and card_token is null.
ALTER TABLE billing.payment_deadlines ADD COLUMN card_token text;
