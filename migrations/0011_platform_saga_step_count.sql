-- The next step number lives on the instance (read with its row lock), not in max(seq) over the
-- history: one query fewer on every step of every saga.
ALTER TABLE platform.saga_instances ADD COLUMN steps integer NOT NULL DEFAULT 0;
UPDATE platform.saga_instances i SET steps = COALESCE((SELECT max(seq) FROM platform.saga_steps s WHERE s.saga_id = i.id), 0);
