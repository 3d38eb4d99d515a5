-- Marketplace: refund policies, listings with their lifecycle, versioned pricing plans, and the
-- facts the listing guards need (provider KYC, version readiness), projected from events.
CREATE TABLE marketplace.refund_policies (
  policy_id          text PRIMARY KEY,
  name               text NOT NULL,
  type               text NOT NULL,
  refund_period_days integer NOT NULL CHECK (refund_period_days BETWEEN 0 AND 3650),
  status             text NOT NULL CHECK (status IN ('active', 'deprecated')),
  created_at         timestamptz NOT NULL,
  updated_at         timestamptz NOT NULL
);

-- Listings are a public catalogue owned by providers (not by a buyer tenant), so no RLS here:
-- access is decided by role and by `provider_id` against the token's pid.
CREATE TABLE marketplace.listings (
  listing_id        text PRIMARY KEY,
  provider_id       text NOT NULL,
  tenant_id         text NOT NULL,
  course_id         text NOT NULL,
  course_version_id text NOT NULL,
  status            text NOT NULL CHECK (status IN ('draft', 'submitted', 'approved', 'live', 'suspended')),
  title             text NOT NULL,
  description       text NOT NULL DEFAULT '',
  marketing_copy    text,
  screenshots       jsonb NOT NULL DEFAULT '[]',
  featured_assets   jsonb NOT NULL DEFAULT '[]',
  refund_policy_id  text REFERENCES marketplace.refund_policies (policy_id),
  last_reason       text,
  created_at        timestamptz NOT NULL,
  updated_at        timestamptz NOT NULL,
  -- Maintained by the database on both engines; title outranks description.
  search            tsvector GENERATED ALWAYS AS (
                      setweight(to_tsvector('english', title), 'A') || setweight(to_tsvector('english', description), 'B')
                    ) STORED
);
CREATE INDEX listings_live_search ON marketplace.listings USING gin (search) WHERE status = 'live';
CREATE INDEX listings_live_by_id ON marketplace.listings (listing_id) WHERE status = 'live';
CREATE INDEX listings_by_provider ON marketplace.listings (provider_id, created_at);

CREATE TABLE marketplace.plans (
  plan_id         text PRIMARY KEY,
  listing_id      text NOT NULL REFERENCES marketplace.listings (listing_id),
  kind            text NOT NULL CHECK (kind IN ('one_time', 'subscription', 'seat_pack', 'site_license')),
  current_version integer NOT NULL CHECK (current_version >= 1),
  created_at      timestamptz NOT NULL
);
CREATE INDEX plans_by_listing ON marketplace.plans (listing_id);

-- Orders reference (plan_id, version): a version is immutable once written (trigger below).
CREATE TABLE marketplace.plan_versions (
  plan_id           text NOT NULL REFERENCES marketplace.plans (plan_id),
  version           integer NOT NULL CHECK (version >= 1),
  amount            bigint NOT NULL CHECK (amount >= 0),
  currency          char(3) NOT NULL,
  seats             integer CHECK (seats >= 1),
  billing_interval  text CHECK (billing_interval IN ('month', 'year')),
  validity_days     integer CHECK (validity_days >= 1),
  perpetual_offline boolean NOT NULL DEFAULT false,
  created_at        timestamptz NOT NULL,
  PRIMARY KEY (plan_id, version)
);

CREATE FUNCTION marketplace.plan_versions_are_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'plan versions are immutable: create a new version instead';
END $$;
CREATE TRIGGER plan_versions_immutable BEFORE UPDATE OR DELETE ON marketplace.plan_versions
  FOR EACH ROW EXECUTE FUNCTION marketplace.plan_versions_are_immutable();

-- seed 001 §5.1: marketplace reads the provider's KYC flag (tenant.provider.kyc_verified.v1).
CREATE TABLE marketplace.provider_kyc (
  provider_id text PRIMARY KEY,
  status      text NOT NULL CHECK (status IN ('verified')),
  verified_at timestamptz NOT NULL
);

-- seed 001 §5.1/§5.3: a version may back a live listing once published and its play package built.
CREATE TABLE marketplace.version_readiness (
  course_version_id  text PRIMARY KEY,
  course_id          text NOT NULL,
  published          boolean NOT NULL DEFAULT false,
  play_package_built boolean NOT NULL DEFAULT false
);
