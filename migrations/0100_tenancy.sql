-- Tenancy: buyer and provider organisations, their members, provider KYC, buyer purchase policies.
CREATE TABLE tenancy.tenants (
  tenant_id  text PRIMARY KEY,
  name       text NOT NULL,
  kind       text NOT NULL CHECK (kind IN ('organization', 'enterprise', 'individual')),
  created_at timestamptz NOT NULL
);

CREATE TABLE tenancy.members (
  tenant_id text NOT NULL REFERENCES tenancy.tenants (tenant_id),
  user_id   text NOT NULL,
  email     text,
  joined_at timestamptz NOT NULL,
  PRIMARY KEY (tenant_id, user_id)
);
ALTER TABLE tenancy.members ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON tenancy.members
  USING (tenant_id = current_setting('app.tenant_id', true) OR current_setting('app.tenant_id', true) = '*');

-- Platform-level records (admins and the KYC consumer manage them), hence no RLS. tenant_id and
-- name are null while the provider is known only from an upstream kyc_verified event.
CREATE TABLE tenancy.providers (
  provider_id    text PRIMARY KEY,
  tenant_id      text REFERENCES tenancy.tenants (tenant_id),
  name           text,
  kyc_status     text NOT NULL DEFAULT 'pending' CHECK (kyc_status IN ('pending', 'verified', 'rejected')),
  kyc_updated_at timestamptz,
  created_at     timestamptz NOT NULL
);

-- seed 001 §5.1: buyer-tenant policies (allowed currencies, purchase cap per period), read at order time.
CREATE TABLE tenancy.purchase_policies (
  tenant_id          text PRIMARY KEY REFERENCES tenancy.tenants (tenant_id),
  allowed_currencies text[],
  cap_amount         bigint CHECK (cap_amount >= 0),
  cap_currency       char(3),
  cap_period         text CHECK (cap_period IN ('day', 'week', 'month', 'quarter', 'year')),
  updated_at         timestamptz NOT NULL,
  CHECK ((cap_amount IS NULL) = (cap_currency IS NULL) AND (cap_amount IS NULL) = (cap_period IS NULL))
);
ALTER TABLE tenancy.purchase_policies ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON tenancy.purchase_policies
  USING (tenant_id = current_setting('app.tenant_id', true) OR current_setting('app.tenant_id', true) = '*');
