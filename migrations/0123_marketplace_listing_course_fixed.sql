-- A listing sells one course for its whole life (nothing updates listings.course_id): orders read a
-- listing's course facts alongside the listing itself on the strength of it, so it is enforced here.
CREATE FUNCTION marketplace.listing_course_is_fixed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'a listing''s course cannot change: list the other course separately';
END $$;
CREATE TRIGGER listing_course_fixed BEFORE UPDATE OF course_id ON marketplace.listings
  FOR EACH ROW WHEN (OLD.course_id IS DISTINCT FROM NEW.course_id) EXECUTE FUNCTION marketplace.listing_course_is_fixed();
