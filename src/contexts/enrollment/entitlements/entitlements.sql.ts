import type { Sql } from "../../../platform/db/db.js";
import type { EntitlementFacts } from "./entitlement.js";

/**
 * The hot path: ONE query on the (user_id, course_id) index. The enrollment row itself carries
 * everything the answer needs (status, mode, expiry, offline, license), so there is no join and no
 * N+1. Best first: active verified, active audit, completed; then the longest-lasting.
 */
export async function entitlementFacts(sql: Sql, userId: string, courseId: string, now: Date): Promise<EntitlementFacts | undefined> {
  const result = await sql.query<{ id: string; license_id: string | null; mode: "verified" | "audit"; status: string; expires_at: Date | string | null; offline: boolean; offline_until: Date | string | null }>(
    `SELECT id, license_id, mode, status, expires_at, offline, offline_until
       FROM enrollment.enrollments
      WHERE user_id = $1 AND course_id = $2 AND status IN ('active', 'completed') AND (expires_at IS NULL OR expires_at > $3)
      ORDER BY CASE WHEN status = 'active' AND mode = 'verified' THEN 0 WHEN status = 'active' THEN 1 ELSE 2 END,
               expires_at DESC NULLS FIRST, id
      LIMIT 1`,
    [userId, courseId, now.toISOString()],
  );
  const row = result.rows[0];
  if (!row) return undefined;
  return {
    enrollmentId: row.id,
    licenseId: row.license_id,
    mode: row.mode,
    status: row.status,
    expiresAt: row.expires_at === null ? null : new Date(row.expires_at),
    offline: row.offline,
    offlineUntil: row.offline_until === null ? null : new Date(row.offline_until),
  };
}

/**
 * Only asked when the learner has no usable enrollment: an assignment window open now means the
 * enrollment will be created on the first play (seed 000 §3), so delivery must be told "yes" first.
 */
export async function deferredFacts(sql: Sql, userId: string, courseId: string, now: Date): Promise<EntitlementFacts | undefined> {
  const result = await sql.query<{ closes_at: Date | string | null }>(
    `SELECT closes_at FROM enrollment.deferred_enrollments
      WHERE user_id = $1 AND course_id = $2 AND realized_at IS NULL AND opens_at <= $3 AND (closes_at IS NULL OR closes_at > $3)
      ORDER BY closes_at DESC NULLS FIRST LIMIT 1`,
    [userId, courseId, now.toISOString()],
  );
  const row = result.rows[0];
  if (!row) return undefined;
  return { enrollmentId: null, licenseId: null, mode: "verified", status: "deferred", expiresAt: row.closes_at === null ? null : new Date(row.closes_at), offline: false, offlineUntil: null };
}
