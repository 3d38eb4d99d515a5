-- The metadata of the request that asked for a payment (requestId, actorId, traceparent): the events
-- billing writes later for it (a provider's answer found by the worker, a provider's webhook) stay in
-- the buyer's trace. Intents created before this column existed have none ('{}').
ALTER TABLE billing.payment_intents ADD COLUMN request_metadata jsonb NOT NULL DEFAULT '{}'::jsonb;
