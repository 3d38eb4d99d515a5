import type { Sql } from "../../../platform/db/db.js";

/** The queries for enrollment.deferred_enrollments (opened assignment windows), nothing else. */
export interface DeferredEnrollment {
  tenantId: string;
  userId: string;
  courseId: string;
  assignmentId: string;
  courseVersionId: string | null;
  runKey: string | null;
  opensAt: Date;
  closesAt: Date | null;
}

export async function insertDeferred(sql: Sql, d: DeferredEnrollment, now: Date): Promise<void> {
  await sql.query(
    `INSERT INTO enrollment.deferred_enrollments (tenant_id, user_id, course_id, assignment_id, course_version_id, run_key, opens_at, closes_at, received_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT DO NOTHING`,
    [
      d.tenantId,
      d.userId,
      d.courseId,
      d.assignmentId,
      d.courseVersionId,
      d.runKey,
      d.opensAt.toISOString(),
      d.closesAt?.toISOString() ?? null,
      now.toISOString(),
    ],
  );
}

/** The earliest-opened window still waiting for this learner and course that is open at `at`, locked. */
export async function openWindowAt(
  sql: Sql,
  userId: string,
  courseId: string,
  tenantId: string | null,
  at: Date,
): Promise<DeferredEnrollment | null> {
  const result = await sql.query<{
    tenant_id: string;
    user_id: string;
    course_id: string;
    assignment_id: string;
    course_version_id: string | null;
    run_key: string | null;
    opens_at: Date | string;
    closes_at: Date | string | null;
  }>(
    `SELECT tenant_id, user_id, course_id, assignment_id, course_version_id, run_key, opens_at, closes_at
       FROM enrollment.deferred_enrollments
      WHERE user_id = $1 AND course_id = $2 AND ($3::text IS NULL OR tenant_id = $3) AND realized_at IS NULL
        AND opens_at <= $4 AND (closes_at IS NULL OR closes_at > $4)
      ORDER BY opens_at LIMIT 1 FOR UPDATE`,
    [userId, courseId, tenantId, at.toISOString()],
  );
  const row = result.rows[0];
  if (!row) return null;
  return {
    tenantId: row.tenant_id,
    userId: row.user_id,
    courseId: row.course_id,
    assignmentId: row.assignment_id,
    courseVersionId: row.course_version_id,
    runKey: row.run_key,
    opensAt: new Date(row.opens_at),
    closesAt: row.closes_at === null ? null : new Date(row.closes_at),
  };
}

export async function markRealized(sql: Sql, d: DeferredEnrollment, enrollmentId: string, now: Date): Promise<void> {
  await sql.query(
    `UPDATE enrollment.deferred_enrollments SET realized_enrollment_id = $5, realized_at = $6
      WHERE tenant_id = $1 AND user_id = $2 AND course_id = $3 AND assignment_id = $4`,
    [d.tenantId, d.userId, d.courseId, d.assignmentId, enrollmentId, now.toISOString()],
  );
}

/** GDPR: the subject's waiting windows keep their counts under a pseudonym. */
export async function pseudonymizeDeferred(sql: Sql, userId: string, pseudonym: string): Promise<number> {
  const result = await sql.query(`UPDATE enrollment.deferred_enrollments SET user_id = $2 WHERE user_id = $1`, [userId, pseudonym]);
  return result.rowCount;
}
