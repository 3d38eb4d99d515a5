import type { Sql } from "../../../platform/db/db.js";

export interface SiteLicenseFact {
  licenseId: string;
  tenantId: string;
  orderId: string;
  courseVersionId: string;
  validUntil: Date | null;
  perpetualOffline: boolean;
}

/**
 * The active site license of one of these tenants covering a course, now. Membership is the
 * tenancy context's fact, so the caller passes the tenants the learner belongs to.
 */
export async function activeSiteLicense(sql: Sql, tenantIds: readonly string[], courseId: string, now: Date): Promise<SiteLicenseFact | null> {
  if (tenantIds.length === 0) return null;
  const result = await sql.query<SiteLicenseFact>(
    `SELECT license_id AS "licenseId", tenant_id AS "tenantId", order_id AS "orderId", course_version_id AS "courseVersionId",
            valid_until AS "validUntil", perpetual_offline AS "perpetualOffline"
       FROM marketplace.licenses
      WHERE tenant_id = ANY($1::text[]) AND course_id = $2 AND kind = 'site_license' AND state = 'active'
        AND valid_from <= $3 AND (valid_until IS NULL OR valid_until > $3)
      ORDER BY valid_until DESC NULLS FIRST LIMIT 1`,
    [tenantIds, courseId, now],
  );
  return result.rows[0] ?? null;
}
