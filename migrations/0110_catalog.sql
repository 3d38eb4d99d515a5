-- Catalog projection: courses, versions and runs, from the admin API and upstream events.
CREATE TABLE catalog.courses (
  course_id       text PRIMARY KEY,
  provider_id     text NOT NULL,
  title           text NOT NULL,
  -- enrollment reads this to offer audit mode (seed 003)
  audit_available boolean NOT NULL DEFAULT true,
  created_at      timestamptz NOT NULL
);
CREATE INDEX courses_by_provider ON catalog.courses (provider_id);

-- No foreign key to courses: an upstream published/built event may arrive before the course is
-- registered here; the version row is the projection of what upstream said.
CREATE TABLE catalog.course_versions (
  course_version_id     text PRIMARY KEY,
  course_id             text NOT NULL,
  label                 text,
  published_at          timestamptz,
  play_package_built_at timestamptz,
  play_package_id       text,
  created_at            timestamptz NOT NULL
);
CREATE INDEX course_versions_by_course ON catalog.course_versions (course_id, created_at);

CREATE TABLE catalog.course_runs (
  run_id            text PRIMARY KEY,
  run_key           text NOT NULL UNIQUE,
  course_id         text NOT NULL REFERENCES catalog.courses (course_id),
  course_version_id text NOT NULL REFERENCES catalog.course_versions (course_version_id),
  starts_at         timestamptz NOT NULL,
  ends_at           timestamptz,
  enrollable        boolean NOT NULL,
  advertised        boolean NOT NULL,
  created_at        timestamptz NOT NULL,
  CHECK (ends_at IS NULL OR ends_at > starts_at)
);
CREATE INDEX course_runs_by_course ON catalog.course_runs (course_id, starts_at);
-- At most one advertised run per course.
CREATE UNIQUE INDEX course_runs_one_advertised ON catalog.course_runs (course_id) WHERE advertised;
