-- Holds (issue 20): a suspended subscription pauses access to its license's enrollments without
-- touching their status, mode or end date; releasing the hold gives the same access back. A column,
-- not a status: a held enrollment still completes, expires and is revoked like any other, and the
-- entitlement read (0920) answers from the same row.
ALTER TABLE enrollment.enrollments ADD COLUMN hold_reason text CHECK (hold_reason IN ('subscription_suspended'));
-- Few rows are held at once: a new enrollment of a license looks here for a held sibling to copy.
CREATE INDEX enrollments_held_by_license ON enrollment.enrollments (license_id) WHERE hold_reason IS NOT NULL;
