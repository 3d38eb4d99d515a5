-- Enrollment context: enrollments, their expiry deadlines, and deferred (assignment) enrollments.

CREATE TABLE enrollment.enrollments (
  id                   text PRIMARY KEY,
  tenant_id            text NOT NULL,
  user_id              text NOT NULL,
  course_id            text NOT NULL,
  course_version_id    text NOT NULL,
  run_key              text,
  source_kind          text NOT NULL CHECK (source_kind IN ('license', 'seat', 'site_license', 'default_enrollment', 'assignment')),
  source_ref           text NOT NULL,
  license_id           text,
  order_id             text,
  status               text NOT NULL CHECK (status IN ('active', 'completed', 'expired', 'revoked')),
  mode                 text NOT NULL CHECK (mode IN ('verified', 'audit')),
  enrolled_at          timestamptz NOT NULL,
  expires_at           timestamptz,
  offline              boolean NOT NULL DEFAULT false,
  offline_until        timestamptz,
  attempt_count        integer NOT NULL DEFAULT 0 CHECK (attempt_count >= 0),
  completed_at         timestamptz,
  completion_record_id text,
  expired_at           timestamptz,
  revoked_at           timestamptz,
  revoke_reason        text CHECK (revoke_reason IN ('license_revoked', 'admin', 'compliance')),
  unenrolled_at        timestamptz,
  erased_at            timestamptz,
  updated_at           timestamptz NOT NULL
);
-- seed 000 §5 / invariant 7: creation is idempotent on (tenantId, userId, courseId, source.ref).
CREATE UNIQUE INDEX enrollments_idempotency ON enrollment.enrollments (tenant_id, user_id, course_id, source_ref);
-- The entitlement hot path and the consumers look a learner's course up here; the list pages by id.
CREATE INDEX enrollments_by_learner_course ON enrollment.enrollments (user_id, course_id);
CREATE INDEX enrollments_by_learner ON enrollment.enrollments (user_id, id);
CREATE INDEX enrollments_by_tenant ON enrollment.enrollments (tenant_id, id);
CREATE INDEX enrollments_by_license ON enrollment.enrollments (license_id) WHERE license_id IS NOT NULL;
ALTER TABLE enrollment.enrollments ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON enrollment.enrollments
  USING (tenant_id = current_setting('app.tenant_id', true) OR current_setting('app.tenant_id', true) = '*');

-- One deadline row per enrollment with an end date, claimed by the expiry poller with SKIP LOCKED.
CREATE TABLE enrollment.expiry_due (
  enrollment_id text PRIMARY KEY REFERENCES enrollment.enrollments (id),
  tenant_id     text NOT NULL,
  due_at        timestamptz NOT NULL
);
CREATE INDEX expiry_due_by_time ON enrollment.expiry_due (due_at);
ALTER TABLE enrollment.expiry_due ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON enrollment.expiry_due
  USING (tenant_id = current_setting('app.tenant_id', true) OR current_setting('app.tenant_id', true) = '*');

-- seed 000 §3: an opened assignment window is an enrollment waiting for the learner's first play.
CREATE TABLE enrollment.deferred_enrollments (
  tenant_id              text NOT NULL,
  user_id                text NOT NULL,
  course_id              text NOT NULL,
  assignment_id          text NOT NULL,
  course_version_id      text,
  run_key                text,
  opens_at               timestamptz NOT NULL,
  closes_at              timestamptz,
  received_at            timestamptz NOT NULL,
  realized_enrollment_id text,
  realized_at            timestamptz,
  PRIMARY KEY (tenant_id, user_id, course_id, assignment_id)
);
CREATE INDEX deferred_enrollments_waiting ON enrollment.deferred_enrollments (user_id, course_id) WHERE realized_at IS NULL;
ALTER TABLE enrollment.deferred_enrollments ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON enrollment.deferred_enrollments
  USING (tenant_id = current_setting('app.tenant_id', true) OR current_setting('app.tenant_id', true) = '*');
