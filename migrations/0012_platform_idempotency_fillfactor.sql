-- A key is inserted when its request starts and updated with the response at commit. Room left on
-- each page lets that update stay on the page (a HOT update: no new index entry).
ALTER TABLE platform.idempotency_keys SET (fillfactor = 80);
