import type { Tx } from "../../../platform/db/db.js";

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
export async function activeSiteLicense(
  tx: Tx,
  tenantIds: readonly string[],
  courseId: string,
  now: Date,
): Promise<SiteLicenseFact | null> {
  if (tenantIds.length === 0) return null;
  const result = await tx.query<SiteLicenseFact>(
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

/**
 * The tenant's active site licenses and seat packs covering these courses, now (default
 * enrollments, seed 003: the enterprise's "catalog" is what its licenses cover).
 */
export async function tenantLicensesCovering(
  tx: Tx,
  tenantId: string,
  courseIds: readonly string[],
  now: Date,
): Promise<Array<{ licenseId: string; courseId: string; kind: "site_license" | "seat_pack" }>> {
  if (courseIds.length === 0) return [];
  const result = await tx.query<{ licenseId: string; courseId: string; kind: "site_license" | "seat_pack" }>(
    `SELECT license_id AS "licenseId", course_id AS "courseId", kind
       FROM marketplace.licenses
      WHERE tenant_id = $1 AND course_id = ANY($2::text[]) AND kind IN ('site_license', 'seat_pack') AND state = 'active'
        AND valid_from <= $3 AND (valid_until IS NULL OR valid_until > $3)
      ORDER BY (kind = 'site_license') DESC, valid_until DESC NULLS FIRST, license_id`,
    [tenantId, courseIds, now],
  );
  return result.rows;
}

/** The learner's active seats in the tenant's active seat packs covering these courses, now. */
export async function activeSeatsCovering(
  tx: Tx,
  tenantId: string,
  userId: string,
  courseIds: readonly string[],
  now: Date,
): Promise<Array<{ licenseId: string; courseId: string; seatAssignmentId: string }>> {
  if (courseIds.length === 0) return [];
  const result = await tx.query<{ licenseId: string; courseId: string; seatAssignmentId: string }>(
    `SELECT l.license_id AS "licenseId", l.course_id AS "courseId", s.seat_assignment_id AS "seatAssignmentId"
       FROM marketplace.licenses l JOIN marketplace.seat_assignments s ON s.license_id = l.license_id AND s.status = 'active' AND s.user_id = $2
      WHERE l.tenant_id = $1 AND l.course_id = ANY($3::text[]) AND l.kind = 'seat_pack' AND l.state = 'active'
        AND l.valid_from <= $4 AND (l.valid_until IS NULL OR l.valid_until > $4)
      ORDER BY s.assigned_at, s.seat_assignment_id`,
    [tenantId, userId, courseIds, now],
  );
  return result.rows;
}
