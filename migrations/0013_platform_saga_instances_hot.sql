-- Every step of every saga updates its instance's status, state and updated_at. The index on
-- (saga_type, status, updated_at) made each of those updates write a new entry in it and in the
-- primary key. Only the ops listing filtered by it, and that walks the primary key newest first
-- (a rare status is found by a longer walk; it is an operator's page, not a hot path). With the
-- index gone and room left on each page written from now on, a step's update stays on its page
-- (HOT: no index entry at all).
DROP INDEX platform.saga_instances_by_status;
ALTER TABLE platform.saga_instances SET (fillfactor = 70);
