-- Default enterprise enrollments (seed 003): intentions an enterprise configures, and their
-- realizations per learner. No subsidy is stored on an intention; a realization records the one used.
CREATE TABLE enrollment.default_enrollment_intentions (
  intention_id text PRIMARY KEY,
  tenant_id    text NOT NULL,
  content_key  text NOT NULL,
  -- Derived from the catalog when configured, never typed in.
  content_type text NOT NULL CHECK (content_type IN ('course', 'course_run')),
  course_id    text NOT NULL,
  created_at   timestamptz NOT NULL,
  created_by   text,
  removed_at   timestamptz,
  removed_by   text,
  updated_at   timestamptz NOT NULL
);
-- One active intention per (enterprise, content key); soft-deleted rows stay for the record.
CREATE UNIQUE INDEX default_enrollment_intentions_active ON enrollment.default_enrollment_intentions (tenant_id, content_key) WHERE removed_at IS NULL;
CREATE INDEX default_enrollment_intentions_by_tenant ON enrollment.default_enrollment_intentions (tenant_id, created_at, intention_id);
ALTER TABLE enrollment.default_enrollment_intentions ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON enrollment.default_enrollment_intentions
  USING (tenant_id = current_setting('app.tenant_id', true) OR current_setting('app.tenant_id', true) = '*');

CREATE TABLE enrollment.default_enrollment_realizations (
  realization_id    text PRIMARY KEY,
  intention_id      text NOT NULL REFERENCES enrollment.default_enrollment_intentions (intention_id),
  tenant_id         text NOT NULL,
  user_id           text NOT NULL,
  -- The run actually used (a course key's advertised run may change later).
  run_key           text NOT NULL,
  course_version_id text NOT NULL,
  enrollment_id     text NOT NULL REFERENCES enrollment.enrollments (id),
  subsidy_kind      text NOT NULL CHECK (subsidy_kind IN ('site_license', 'seat', 'learner_credit')),
  subsidy_ref       text NOT NULL,
  realized_at       timestamptz NOT NULL,
  -- Redelivery and concurrent joins realize an intention once per learner.
  UNIQUE (intention_id, user_id)
);
CREATE INDEX default_enrollment_realizations_by_learner ON enrollment.default_enrollment_realizations (tenant_id, user_id);
ALTER TABLE enrollment.default_enrollment_realizations ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON enrollment.default_enrollment_realizations
  USING (tenant_id = current_setting('app.tenant_id', true) OR current_setting('app.tenant_id', true) = '*');
