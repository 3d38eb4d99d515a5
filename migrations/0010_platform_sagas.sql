-- Saga runtime (DESIGN §4): persisted state per instance, its step history, and deadlines as rows.
CREATE TABLE platform.saga_instances (
  id             text PRIMARY KEY,
  saga_type      text NOT NULL,
  status         text NOT NULL,
  state          jsonb NOT NULL,
  correlation_id text NOT NULL,
  created_at     timestamptz NOT NULL,
  updated_at     timestamptz NOT NULL
);
CREATE INDEX saga_instances_by_status ON platform.saga_instances (saga_type, status, updated_at);

CREATE TABLE platform.saga_steps (
  saga_id    text NOT NULL REFERENCES platform.saga_instances (id),
  seq        integer NOT NULL,
  at         timestamptz NOT NULL,
  input      text NOT NULL,
  from_status text NOT NULL,
  to_status  text NOT NULL,
  commands   jsonb NOT NULL,
  note       text,
  PRIMARY KEY (saga_id, seq)
);

-- A timer wheel in the database: a crash loses no timeout, a restart fires what is due.
CREATE TABLE platform.saga_deadlines (
  saga_id   text NOT NULL REFERENCES platform.saga_instances (id),
  name      text NOT NULL,
  saga_type text NOT NULL,
  due_at    timestamptz NOT NULL,
  PRIMARY KEY (saga_id, name)
);
CREATE INDEX saga_deadlines_due ON platform.saga_deadlines (due_at);
