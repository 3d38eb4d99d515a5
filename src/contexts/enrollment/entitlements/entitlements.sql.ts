import { SYSTEM_SCOPE, type Sql, type TenantScope } from "../../../platform/db/db.js";
import type { EntitlementFacts } from "./entitlement.domain.js";

/**
 * The hot path: ONE statement on the (user_id, course_id) index, in one round trip without a
 * transaction — `enrollment.best_entitlement` (migrations 0310, 0900, 0920) sets the caller's tenant scope inside
 * the statement, so RLS still applies. The enrollment row carries everything the answer needs
 * (status, mode, expiry, offline, license): no join, no N+1. Best first: active verified, active
 * audit, completed; then the longest-lasting.
 */
export async function scopedEntitlementFacts(
  sql: Sql,
  tenantScope: TenantScope,
  userId: string,
  courseId: string,
  now: Date,
): Promise<EntitlementFacts | undefined> {
  const [tenant, system] = tenantScope === SYSTEM_SCOPE ? ["", true] : [tenantScope, false];
  const result = await sql.query<EntitlementRow>(`SELECT * FROM enrollment.best_entitlement($1, $2, $3, $4, $5)`, [
    tenant,
    system,
    userId,
    courseId,
    now.toISOString(),
  ]);
  return toFacts(result.rows[0]);
}

type EntitlementRow = {
  id: string;
  license_id: string | null;
  mode: "verified" | "audit";
  status: string;
  expires_at: Date | string | null;
  offline: boolean;
  offline_until: Date | string | null;
  hold_reason: string | null;
};

function toFacts(row: EntitlementRow | undefined): EntitlementFacts | undefined {
  if (!row) return undefined;
  return {
    enrollmentId: row.id,
    licenseId: row.license_id,
    mode: row.mode,
    status: row.status,
    expiresAt: row.expires_at === null ? null : new Date(row.expires_at),
    offline: row.offline,
    offlineUntil: row.offline_until === null ? null : new Date(row.offline_until),
    holdReason: row.hold_reason as EntitlementFacts["holdReason"],
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
  return {
    enrollmentId: null,
    licenseId: null,
    mode: "verified",
    status: "deferred",
    expiresAt: row.closes_at === null ? null : new Date(row.closes_at),
    offline: false,
    offlineUntil: null,
    holdReason: null,
  };
}
