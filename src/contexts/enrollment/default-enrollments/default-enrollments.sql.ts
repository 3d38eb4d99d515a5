import type { Sql } from "../../../platform/db/db.js";
import type { ContentType, EnrollmentFact, Intention, Realization, SubsidyKind } from "./default-enrollment.domain.js";

/** The queries for enrollment.default_enrollment_intentions and _realizations, nothing else. */
interface IntentionRow {
  intention_id: string;
  tenant_id: string;
  content_key: string;
  content_type: string;
  course_id: string;
  created_at: Date | string;
  removed_at: Date | string | null;
}

const INTENTION = `intention_id, tenant_id, content_key, content_type, course_id, created_at, removed_at`;

const intentionOf = (r: IntentionRow): Intention => ({
  intentionId: r.intention_id,
  tenantId: r.tenant_id,
  contentKey: r.content_key,
  contentType: r.content_type as ContentType,
  courseId: r.course_id,
  createdAt: new Date(r.created_at),
  removedAt: r.removed_at === null ? null : new Date(r.removed_at),
});

/** Returns false when another active intention took the key first (the partial unique index decides). */
export async function insertIntention(sql: Sql, i: Intention, actor: string): Promise<boolean> {
  const result = await sql.query(
    `INSERT INTO enrollment.default_enrollment_intentions (intention_id, tenant_id, content_key, content_type, course_id, created_at, created_by, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $6)
     ON CONFLICT (tenant_id, content_key) WHERE removed_at IS NULL DO NOTHING`,
    [i.intentionId, i.tenantId, i.contentKey, i.contentType, i.courseId, i.createdAt.toISOString(), actor],
  );
  return result.rowCount === 1;
}

/** The active intention for a key and the most recently removed one, locked. */
export async function intentionsForKey(
  sql: Sql,
  tenantId: string,
  contentKey: string,
): Promise<{ active: Intention | null; removed: Intention | null }> {
  const result = await sql.query<IntentionRow>(
    `SELECT ${INTENTION} FROM enrollment.default_enrollment_intentions WHERE tenant_id = $1 AND content_key = $2
      ORDER BY removed_at DESC NULLS FIRST FOR UPDATE`,
    [tenantId, contentKey],
  );
  const rows = result.rows.map(intentionOf);
  return { active: rows.find((r) => r.removedAt === null) ?? null, removed: rows.find((r) => r.removedAt !== null) ?? null };
}

export async function restoreIntention(sql: Sql, intentionId: string, now: Date): Promise<boolean> {
  const result = await sql.query(
    `UPDATE enrollment.default_enrollment_intentions SET removed_at = NULL, removed_by = NULL, updated_at = $2 WHERE intention_id = $1 AND removed_at IS NOT NULL`,
    [intentionId, now.toISOString()],
  );
  return result.rowCount === 1;
}

export async function findIntention(sql: Sql, tenantId: string, intentionId: string, lock = false): Promise<Intention | null> {
  const result = await sql.query<IntentionRow>(
    `SELECT ${INTENTION} FROM enrollment.default_enrollment_intentions WHERE tenant_id = $1 AND intention_id = $2${lock ? " FOR UPDATE" : ""}`,
    [tenantId, intentionId],
  );
  return result.rows[0] ? intentionOf(result.rows[0]) : null;
}

export async function removeIntention(sql: Sql, intentionId: string, now: Date, actor: string): Promise<void> {
  await sql.query(
    `UPDATE enrollment.default_enrollment_intentions SET removed_at = $2, removed_by = $3, updated_at = $2 WHERE intention_id = $1`,
    [intentionId, now.toISOString(), actor],
  );
}

/** One page of an enterprise's intentions, in (created_at, intention_id) order, after a keyset position. */
export async function intentionsPage(
  sql: Sql,
  tenantId: string,
  page: { includeRemoved: boolean; after?: { at: Date; id: string }; limit: number },
): Promise<Intention[]> {
  const result = await sql.query<IntentionRow>(
    `SELECT ${INTENTION} FROM enrollment.default_enrollment_intentions
      WHERE tenant_id = $1 AND ($2::boolean OR removed_at IS NULL)
        AND ($3::timestamptz IS NULL OR (created_at, intention_id) > ($3::timestamptz, $4::text))
      ORDER BY created_at, intention_id LIMIT $5`,
    [tenantId, page.includeRemoved, page.after?.at ?? null, page.after?.id ?? null, page.limit],
  );
  return result.rows.map(intentionOf);
}

export async function intentionsOf(sql: Sql, tenantId: string, includeRemoved: boolean): Promise<Intention[]> {
  const result = await sql.query<IntentionRow>(
    `SELECT ${INTENTION} FROM enrollment.default_enrollment_intentions
      WHERE tenant_id = $1 AND ($2::boolean OR removed_at IS NULL) ORDER BY created_at, intention_id`,
    [tenantId, includeRemoved],
  );
  return result.rows.map(intentionOf);
}

interface RealizationRow {
  realization_id: string;
  intention_id: string;
  tenant_id: string;
  user_id: string;
  run_key: string;
  course_version_id: string;
  enrollment_id: string;
  subsidy_kind: string;
  subsidy_ref: string;
  realized_at: Date | string;
}

const REALIZATION = `realization_id, intention_id, tenant_id, user_id, run_key, course_version_id, enrollment_id, subsidy_kind, subsidy_ref, realized_at`;

const realizationOf = (r: RealizationRow): Realization => ({
  realizationId: r.realization_id,
  intentionId: r.intention_id,
  tenantId: r.tenant_id,
  userId: r.user_id,
  runKey: r.run_key,
  courseVersionId: r.course_version_id,
  enrollmentId: r.enrollment_id,
  subsidy: { kind: r.subsidy_kind as SubsidyKind, ref: r.subsidy_ref },
  realizedAt: new Date(r.realized_at),
});

/** Set-based; UNIQUE (intention_id, user_id) makes a concurrent or repeated realization a no-op. Returns those inserted. */
export async function insertRealizations(sql: Sql, rows: readonly Realization[]): Promise<Realization[]> {
  if (rows.length === 0) return [];
  const col = <T>(pick: (r: Realization) => T) => rows.map(pick);
  const result = await sql.query<RealizationRow>(
    `INSERT INTO enrollment.default_enrollment_realizations (${REALIZATION})
     SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::timestamptz[])
     ON CONFLICT (intention_id, user_id) DO NOTHING
     RETURNING ${REALIZATION}`,
    [
      col((r) => r.realizationId),
      col((r) => r.intentionId),
      col((r) => r.tenantId),
      col((r) => r.userId),
      col((r) => r.runKey),
      col((r) => r.courseVersionId),
      col((r) => r.enrollmentId),
      col((r) => r.subsidy.kind),
      col((r) => r.subsidy.ref),
      col((r) => r.realizedAt.toISOString()),
    ],
  );
  return result.rows.map(realizationOf);
}

export async function realizationsOf(sql: Sql, tenantId: string, userId: string): Promise<Realization[]> {
  const result = await sql.query<RealizationRow>(
    `SELECT ${REALIZATION} FROM enrollment.default_enrollment_realizations WHERE tenant_id = $1 AND user_id = $2`,
    [tenantId, userId],
  );
  return result.rows.map(realizationOf);
}

/** The learner's enrollments in these courses within the enterprise (what "already enrolled" and "unenrolled" look at). */
export async function enrollmentFacts(sql: Sql, tenantId: string, userId: string, courseIds: readonly string[]): Promise<EnrollmentFact[]> {
  if (courseIds.length === 0) return [];
  const result = await sql.query<{
    id: string;
    course_id: string;
    course_version_id: string;
    run_key: string | null;
    status: EnrollmentFact["status"];
    mode: EnrollmentFact["mode"];
    unenrolled_at: Date | string | null;
  }>(
    `SELECT id, course_id, course_version_id, run_key, status, mode, unenrolled_at FROM enrollment.enrollments
      WHERE tenant_id = $1 AND user_id = $2 AND course_id = ANY($3::text[]) ORDER BY id`,
    [tenantId, userId, courseIds],
  );
  return result.rows.map((r) => ({
    enrollmentId: r.id,
    courseId: r.course_id,
    courseVersionId: r.course_version_id,
    runKey: r.run_key,
    status: r.status,
    mode: r.mode,
    unenrolled: r.unenrolled_at !== null,
  }));
}

/** GDPR erasure: realizations follow their enrollments onto the pseudonym. */
export async function pseudonymizeRealizations(sql: Sql, userId: string, pseudonym: string): Promise<number> {
  const result = await sql.query(`UPDATE enrollment.default_enrollment_realizations SET user_id = $2 WHERE user_id = $1`, [
    userId,
    pseudonym,
  ]);
  return result.rowCount ?? 0;
}
