-- The request that started a saga (requestId, actorId, traceparent): events its deadlines cause
-- later, with no event to inherit from, still carry the request's trace. Sagas started before this
-- column existed have none to carry ('{}'). A constant default: no table rewrite, on PG 15 and PGlite.
ALTER TABLE platform.saga_instances ADD COLUMN origin jsonb NOT NULL DEFAULT '{}'::jsonb;
