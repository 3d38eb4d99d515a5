-- Browse read model: each listing carries the current terms of its plans, so a search page is one
-- index scan with no joins. Written only by the plan use cases, in the transaction that changes a
-- plan and under the listing's row lock, so it never drifts from marketplace.plan_versions.
ALTER TABLE marketplace.listings ADD COLUMN current_plans jsonb NOT NULL DEFAULT '[]';

UPDATE marketplace.listings l SET current_plans = COALESCE((
  SELECT jsonb_agg(jsonb_build_object('planId', p.plan_id, 'kind', p.kind, 'version', v.version, 'amount', v.amount, 'currency', v.currency,
           'seats', v.seats, 'interval', v.billing_interval, 'validityDays', v.validity_days, 'perpetualOffline', v.perpetual_offline)
         ORDER BY p.created_at, p.plan_id)
    FROM marketplace.plans p JOIN marketplace.plan_versions v ON v.plan_id = p.plan_id AND v.version = p.current_version
   WHERE p.listing_id = l.listing_id), '[]');
