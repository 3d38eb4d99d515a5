-- The entitlement hot path in ONE round trip: outside an explicit transaction the caller's tenant
-- scope must be set in the same statement as the read, so the function sets it (transaction-local,
-- i.e. for this statement only) before the query runs. SECURITY INVOKER: row-level security still
-- applies to the caller's role.
CREATE FUNCTION enrollment.best_entitlement(p_tenant text, p_user text, p_course text, p_now timestamptz)
RETURNS TABLE (id text, license_id text, mode text, status text, expires_at timestamptz, offline boolean, offline_until timestamptz)
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM set_config('app.tenant_id', p_tenant, true);
  RETURN QUERY
    SELECT e.id, e.license_id, e.mode, e.status, e.expires_at, e.offline, e.offline_until
      FROM enrollment.enrollments e
     WHERE e.user_id = p_user AND e.course_id = p_course AND e.status IN ('active', 'completed')
       AND (e.expires_at IS NULL OR e.expires_at > p_now)
     ORDER BY CASE WHEN e.status = 'active' AND e.mode = 'verified' THEN 0 WHEN e.status = 'active' THEN 1 ELSE 2 END,
              e.expires_at DESC NULLS FIRST, e.id
     LIMIT 1;
END $$;
GRANT EXECUTE ON FUNCTION enrollment.best_entitlement(text, text, text, timestamptz) TO ghasi_app;
