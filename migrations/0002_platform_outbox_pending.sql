-- The relay's work queue, apart from the event log. Marking a log row published rewrote the whole
-- row (its envelope too) and every one of its six index entries, and the partial "pending" index
-- filled with dead entries that each relay claim had to walk: under load the claim cost more than
-- all the business statements together. A narrow row per unpublished event, deleted when the bus
-- has it, keeps the log insert-only and the claim a probe of a small, hot index.
DROP INDEX platform.outbox_pending;
CREATE TABLE platform.outbox_pending (
  position bigint PRIMARY KEY,
  bucket   smallint NOT NULL
);
CREATE INDEX outbox_pending_by_bucket ON platform.outbox_pending (bucket, position);
INSERT INTO platform.outbox_pending (position, bucket) SELECT position, bucket FROM platform.outbox WHERE published_at IS NULL;
-- "Published" is now "no longer pending": the log has no per-row publish time to keep.
ALTER TABLE platform.outbox DROP COLUMN published_at;
