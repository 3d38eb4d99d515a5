-- The system scope is out of band (issue 18). Policies used to let every row through when
-- app.tenant_id was '*', a value a tenant could also be called, and a token could carry. Now the
-- system scope is a setting of its own that only the database adapters set (from a symbol no
-- request can hold), and '*' is just a tenant id that matches no row. Numbered after every
-- migration that creates a policy; a later policy must use the same form (a test checks).
DO $$
DECLARE
  p record;
BEGIN
  FOR p IN SELECT schemaname, tablename, policyname FROM pg_policies
            WHERE qual LIKE '%current_setting(''app.tenant_id''::text, true) = ''*''::text%' LOOP
    EXECUTE format(
      'ALTER POLICY %I ON %I.%I USING (tenant_id = current_setting(''app.tenant_id'', true) OR current_setting(''app.system_scope'', true) = ''on'')',
      p.policyname, p.schemaname, p.tablename);
  END LOOP;
  IF EXISTS (SELECT 1 FROM pg_policies WHERE qual LIKE '%''*''%' OR with_check LIKE '%''*''%') THEN
    RAISE EXCEPTION 'a row-level security policy still reads ''*'' as the system scope';
  END IF;
END $$;

-- The entitlement read sets its scope itself (one statement, no transaction): both settings now.
DROP FUNCTION enrollment.best_entitlement(text, text, text, timestamptz);
CREATE FUNCTION enrollment.best_entitlement(p_tenant text, p_system boolean, p_user text, p_course text, p_now timestamptz)
RETURNS TABLE (id text, license_id text, mode text, status text, expires_at timestamptz, offline boolean, offline_until timestamptz)
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM set_config('app.tenant_id', p_tenant, true);
  PERFORM set_config('app.system_scope', CASE WHEN p_system THEN 'on' ELSE 'off' END, true);
  RETURN QUERY
    SELECT e.id, e.license_id, e.mode, e.status, e.expires_at, e.offline, e.offline_until
      FROM enrollment.enrollments e
     WHERE e.user_id = p_user AND e.course_id = p_course AND e.status IN ('active', 'completed')
       AND (e.expires_at IS NULL OR e.expires_at > p_now)
     ORDER BY CASE WHEN e.status = 'active' AND e.mode = 'verified' THEN 0 WHEN e.status = 'active' THEN 1 ELSE 2 END,
              e.expires_at DESC NULLS FIRST, e.id
     LIMIT 1;
END $$;
GRANT EXECUTE ON FUNCTION enrollment.best_entitlement(text, boolean, text, text, timestamptz) TO ghasi_app;
