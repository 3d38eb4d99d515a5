-- The entitlement read (0310, 0900) learns about holds (0330). Numbered after 0900, which last
-- defined the function: on a fresh database an 03xx file would run first and 0900 would replace it.
-- The returned row gains hold_reason, so the function is dropped and created again (CREATE OR
-- REPLACE cannot change a return type). Scope and security are as in 0900: the caller's tenant and
-- system scope are set inside the statement, SECURITY INVOKER, so row-level security still applies.
-- An enrollment that is not held answers first; a held one answers only when nothing else would,
-- so the learner hears why (entitled: false, reason).
DROP FUNCTION enrollment.best_entitlement(text, boolean, text, text, timestamptz);
CREATE FUNCTION enrollment.best_entitlement(p_tenant text, p_system boolean, p_user text, p_course text, p_now timestamptz)
RETURNS TABLE (id text, license_id text, mode text, status text, expires_at timestamptz, offline boolean, offline_until timestamptz, hold_reason text)
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM set_config('app.tenant_id', p_tenant, true);
  PERFORM set_config('app.system_scope', CASE WHEN p_system THEN 'on' ELSE 'off' END, true);
  RETURN QUERY
    SELECT e.id, e.license_id, e.mode, e.status, e.expires_at, e.offline, e.offline_until, e.hold_reason
      FROM enrollment.enrollments e
     WHERE e.user_id = p_user AND e.course_id = p_course AND e.status IN ('active', 'completed')
       AND (e.expires_at IS NULL OR e.expires_at > p_now)
     ORDER BY e.hold_reason IS NOT NULL,
              CASE WHEN e.status = 'active' AND e.mode = 'verified' THEN 0 WHEN e.status = 'active' THEN 1 ELSE 2 END,
              e.expires_at DESC NULLS FIRST, e.id
     LIMIT 1;
END $$;
GRANT EXECUTE ON FUNCTION enrollment.best_entitlement(text, boolean, text, text, timestamptz) TO ghasi_app;
