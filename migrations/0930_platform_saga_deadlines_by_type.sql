-- Each saga type has its own deadline worker, and every one asks "my due deadlines, earliest first"
-- (and the test clock "my earliest"). With subscriptions, most rows are renewals months ahead and
-- bursts of renewals due together: an index on due_at alone made the purchase and refund workers
-- walk past every due renewal, four times a second, to find none of theirs.
CREATE INDEX saga_deadlines_by_type ON platform.saga_deadlines (saga_type, due_at);
DROP INDEX platform.saga_deadlines_due;
