-- A listing sells one course for its whole life (nothing updates listings.course_id). Orders keep a
-- listing's course in memory to read the course's start alongside the listing; they check it
-- against the listing row, and this keeps the premise true.
CREATE FUNCTION marketplace.listing_course_is_fixed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'a listing''s course cannot change: list the other course separately' USING ERRCODE = 'restrict_violation';
END $$;
CREATE TRIGGER listing_course_fixed BEFORE UPDATE OF course_id ON marketplace.listings
  FOR EACH ROW WHEN (OLD.course_id IS DISTINCT FROM NEW.course_id) EXECUTE FUNCTION marketplace.listing_course_is_fixed();
