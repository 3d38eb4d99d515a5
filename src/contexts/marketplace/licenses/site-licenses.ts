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
 * In force now: a licence with a subscription is while its subscription is active or past due (in
 * its grace period), whatever its paid-through date; a suspended or ended one is not. Any other
 * licence is until its valid_until. `l` the licence, `s` its subscription (LEFT JOIN), `$now` the time.
 */
const IN_FORCE = (now: string) =>
  `l.state = 'active' AND l.valid_from <= ${now}
   AND CASE WHEN s.subscription_id IS NULL THEN (l.valid_until IS NULL OR l.valid_until > ${now}) ELSE s.status IN ('active', 'past_due') END`;
const WITH_SUBSCRIPTION = `marketplace.licenses l LEFT JOIN marketplace.subscriptions s ON s.license_id = l.license_id`;

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
    // A subscription's enrollments carry no end date (the subscription ends them): validUntil is null for those.
    `SELECT l.license_id AS "licenseId", l.tenant_id AS "tenantId", l.order_id AS "orderId", l.course_version_id AS "courseVersionId",
            CASE WHEN s.subscription_id IS NULL THEN l.valid_until END AS "validUntil", l.perpetual_offline AS "perpetualOffline"
       FROM ${WITH_SUBSCRIPTION}
      WHERE l.tenant_id = ANY($1::text[]) AND l.course_id = $2 AND l.kind = 'site_license' AND ${IN_FORCE("$3")}
      ORDER BY "validUntil" DESC NULLS FIRST LIMIT 1`,
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
    `SELECT l.license_id AS "licenseId", l.course_id AS "courseId", l.kind
       FROM ${WITH_SUBSCRIPTION}
      WHERE l.tenant_id = $1 AND l.course_id = ANY($2::text[]) AND l.kind IN ('site_license', 'seat_pack') AND ${IN_FORCE("$3")}
      ORDER BY (l.kind = 'site_license') DESC, l.valid_until DESC NULLS FIRST, l.license_id`,
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
    `SELECT l.license_id AS "licenseId", l.course_id AS "courseId", a.seat_assignment_id AS "seatAssignmentId"
       FROM ${WITH_SUBSCRIPTION} JOIN marketplace.seat_assignments a ON a.license_id = l.license_id AND a.status = 'active' AND a.user_id = $2
      WHERE l.tenant_id = $1 AND l.course_id = ANY($3::text[]) AND l.kind = 'seat_pack' AND ${IN_FORCE("$4")}
      ORDER BY a.assigned_at, a.seat_assignment_id`,
    [tenantId, userId, courseIds, now],
  );
  return result.rows;
}
