-- Row-level security on every table that holds tenant data (issue 18). Three kinds of table:
--
--   tenant rows      a tenant_id column and the `tenant_isolation` policy: a transaction sees and
--                    writes the rows of its own tenant; the system scope (workers, operators) all.
--   operator rows    data of many tenants that only the platform reads (dead letters, retries,
--                    provider earnings and payouts): the `operator_only` policy, system scope only.
--   marketplace-wide reference data every tenant reads (courses, listings, plans, coupons…) and
--                    bookkeeping with no tenant data in it: no policy, and a reason in
--                    tests/platform/row-level-security.int.test.ts, which lists every table from
--                    the catalog so a new one cannot be forgotten.
--
-- Child rows carry their parent's tenant (written by the code that writes the parent), except a
-- saga's steps and deadlines, seen through their saga. Platform rows written inside a tenant's
-- transaction (idempotency keys, saga instances) take the transaction's tenant by default; written
-- in the system scope, they have none and only the system scope sees them.

-- Child rows of tenant rows.
ALTER TABLE marketplace.order_items ADD COLUMN tenant_id text;
UPDATE marketplace.order_items i SET tenant_id = o.tenant_id FROM marketplace.orders o WHERE o.order_id = i.order_id;
ALTER TABLE marketplace.order_items ALTER COLUMN tenant_id SET NOT NULL;

ALTER TABLE marketplace.refund_lines ADD COLUMN tenant_id text;
UPDATE marketplace.refund_lines l SET tenant_id = r.tenant_id FROM marketplace.refunds r WHERE r.refund_id = l.refund_id;
ALTER TABLE marketplace.refund_lines ALTER COLUMN tenant_id SET NOT NULL;

ALTER TABLE marketplace.coupon_redemptions ADD COLUMN tenant_id text;
UPDATE marketplace.coupon_redemptions c SET tenant_id = o.tenant_id FROM marketplace.orders o WHERE o.order_id = c.order_id;
ALTER TABLE marketplace.coupon_redemptions ALTER COLUMN tenant_id SET NOT NULL;

-- Platform rows written on a tenant's behalf: the transaction's tenant unless the code says otherwise.
ALTER TABLE platform.idempotency_keys ADD COLUMN tenant_id text DEFAULT nullif(current_setting('app.tenant_id', true), '');
ALTER TABLE platform.saga_instances ADD COLUMN tenant_id text DEFAULT nullif(current_setting('app.tenant_id', true), '');

-- Rows written before this migration: a saga is an order's or a refund's (its id is theirs); an
-- idempotency key's scope starts with its caller's tenant. Without these, a tenant would lose
-- sight of its own in-flight orders' sagas and could not replay its own keys.
UPDATE platform.saga_instances i SET tenant_id = o.tenant_id FROM marketplace.orders o WHERE o.order_id = i.id;
UPDATE platform.saga_instances i SET tenant_id = r.tenant_id FROM marketplace.refunds r WHERE r.refund_id = i.id;
UPDATE platform.idempotency_keys SET tenant_id = split_part(scope, '/', 1) WHERE position('/' IN scope) > 0;

DO $$
DECLARE
  t text;
BEGIN
  FOREACH t IN ARRAY ARRAY[
    'marketplace.order_items', 'marketplace.refund_lines', 'marketplace.coupon_redemptions',
    'platform.idempotency_keys', 'platform.saga_instances',
    'platform.outbox', 'tenancy.tenants'
  ] LOOP
    EXECUTE format('ALTER TABLE %s ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format(
      'CREATE POLICY tenant_isolation ON %s USING (tenant_id = current_setting(''app.tenant_id'', true) OR current_setting(''app.system_scope'', true) = ''on'')',
      t);
  END LOOP;
  FOREACH t IN ARRAY ARRAY[
    'platform.dead_letters', 'platform.consumer_retries',
    'marketplace.earnings', 'marketplace.payout_batches', 'marketplace.payout_lines'
  ] LOOP
    EXECUTE format('ALTER TABLE %s ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY operator_only ON %s USING (current_setting(''app.system_scope'', true) = ''on'')', t);
  END LOOP;
END $$;

-- The outbox: an event of a tenant is that tenant's; an event with no tenant (a platform-wide
-- refund policy, a course published) belongs to none and any scope may write and read it back
-- (the append reads its own rows back: RETURNING is checked against the read policy).
DROP POLICY tenant_isolation ON platform.outbox;
CREATE POLICY tenant_isolation ON platform.outbox
  USING (tenant_id = current_setting('app.tenant_id', true) OR tenant_id IS NULL OR current_setting('app.system_scope', true) = 'on');

-- A saga's steps and deadlines are seen through their saga (written later, in the system scope,
-- they carry no tenant). Written in a tenant's transaction, often in the statement that writes the
-- saga itself (which a check through the saga cannot see yet), they carry that tenant.
ALTER TABLE platform.saga_steps ADD COLUMN tenant_id text DEFAULT nullif(current_setting('app.tenant_id', true), '');
ALTER TABLE platform.saga_deadlines ADD COLUMN tenant_id text DEFAULT nullif(current_setting('app.tenant_id', true), '');
DO $$
DECLARE
  t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['platform.saga_steps', 'platform.saga_deadlines'] LOOP
    EXECUTE format('ALTER TABLE %s ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format(
      'CREATE POLICY through_saga ON %s USING (tenant_id = current_setting(''app.tenant_id'', true) OR current_setting(''app.system_scope'', true) = ''on'' OR EXISTS (SELECT 1 FROM platform.saga_instances i WHERE i.id = saga_id))',
      t);
  END LOOP;
END $$;

-- A coupon's per-buyer limit counts the buyer's redemptions in every tenant, which the buyer's
-- transaction cannot see. This function answers that one number and nothing else.
CREATE FUNCTION marketplace.reserved_redemptions(p_coupon text, p_user text) RETURNS integer
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog AS $$
  SELECT count(*)::int FROM marketplace.coupon_redemptions WHERE coupon_id = p_coupon AND user_id = p_user AND status = 'reserved'
$$;
REVOKE ALL ON FUNCTION marketplace.reserved_redemptions(text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION marketplace.reserved_redemptions(text, text) TO ghasi_app;
