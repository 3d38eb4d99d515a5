-- Marketplace: seat assignments of seat-pack licenses, bulk seat jobs, license expiry deadlines.
-- Seats stay a counter on marketplace.licenses (DESIGN §8); a row here is one learner holding one.
CREATE TABLE marketplace.seat_assignments (
  seat_assignment_id text PRIMARY KEY,
  license_id         text NOT NULL REFERENCES marketplace.licenses (license_id),
  tenant_id          text NOT NULL,
  user_id            text NOT NULL,
  order_id           text NOT NULL,
  status             text NOT NULL CHECK (status IN ('active', 'released')),
  enrollment_id      text,
  assigned_at        timestamptz NOT NULL,
  released_at        timestamptz,
  CHECK ((status = 'released') = (released_at IS NOT NULL))
);
-- Invariant 6: a learner holds at most one active seat per license.
CREATE UNIQUE INDEX seat_assignments_one_active ON marketplace.seat_assignments (license_id, user_id) WHERE status = 'active';
-- The seat list pages by id within a license.
CREATE INDEX seat_assignments_by_license ON marketplace.seat_assignments (license_id, seat_assignment_id) WHERE status = 'active';
ALTER TABLE marketplace.seat_assignments ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON marketplace.seat_assignments
  USING (tenant_id = current_setting('app.tenant_id', true) OR current_setting('app.tenant_id', true) = '*');

-- More than 1,000 learners at once: a job worked off in chunks by a poller (SKIP LOCKED).
CREATE TABLE marketplace.seat_jobs (
  job_id       text PRIMARY KEY,
  license_id   text NOT NULL REFERENCES marketplace.licenses (license_id),
  tenant_id    text NOT NULL,
  requested_by text NOT NULL,
  user_ids     jsonb NOT NULL,
  total        integer NOT NULL CHECK (total >= 1),
  done         integer NOT NULL DEFAULT 0 CHECK (done >= 0),
  failed       integer NOT NULL DEFAULT 0 CHECK (failed >= 0),
  status       text NOT NULL CHECK (status IN ('queued', 'running', 'completed')),
  results      jsonb NOT NULL DEFAULT '[]',
  created_at   timestamptz NOT NULL,
  updated_at   timestamptz NOT NULL,
  CHECK (done + failed <= total),
  CHECK ((status = 'completed') = (done + failed = total))
);
CREATE INDEX seat_jobs_pending ON marketplace.seat_jobs (created_at) WHERE status <> 'completed';
ALTER TABLE marketplace.seat_jobs ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON marketplace.seat_jobs
  USING (tenant_id = current_setting('app.tenant_id', true) OR current_setting('app.tenant_id', true) = '*');

-- License expiry: the deadline is the license's own valid_until (a renewal that moves it moves the
-- deadline too). The poller claims due rows through this partial index with FOR UPDATE SKIP LOCKED.
CREATE INDEX licenses_expiry_due ON marketplace.licenses (valid_until) WHERE state = 'active' AND valid_until IS NOT NULL;
