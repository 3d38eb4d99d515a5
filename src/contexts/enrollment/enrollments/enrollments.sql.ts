import type { Sql, Tx } from "../../../platform/db/db.js";
import type { Enrollment, EnrollmentStatus } from "./enrollment.domain.js";

/** The queries for enrollment.enrollments and its expiry deadlines, nothing else. */
export interface EnrollmentRow {
  id: string;
  tenant_id: string;
  user_id: string;
  course_id: string;
  course_version_id: string;
  run_key: string | null;
  source_kind: string;
  source_ref: string;
  license_id: string | null;
  order_id: string | null;
  status: string;
  mode: string;
  enrolled_at: Date | string;
  expires_at: Date | string | null;
  offline: boolean;
  offline_until: Date | string | null;
  attempt_count: number;
  completed_at: Date | string | null;
  completion_record_id: string | null;
  expired_at: Date | string | null;
  revoked_at: Date | string | null;
  revoke_reason: string | null;
  unenrolled_at: Date | string | null;
  erased_at: Date | string | null;
  hold_reason: string | null;
}

const date = (value: Date | string | null): Date | null => (value === null ? null : new Date(value));
const iso = (value: Date | null | undefined): string | null => (value ? value.toISOString() : null);

export function fromRow(row: EnrollmentRow): Enrollment {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    userId: row.user_id,
    courseId: row.course_id,
    courseVersionId: row.course_version_id,
    runKey: row.run_key,
    source: { kind: row.source_kind as Enrollment["source"]["kind"], ref: row.source_ref },
    licenseId: row.license_id,
    orderId: row.order_id,
    status: row.status as EnrollmentStatus,
    mode: row.mode as Enrollment["mode"],
    enrolledAt: new Date(row.enrolled_at),
    expiresAt: date(row.expires_at),
    offline: row.offline,
    offlineUntil: date(row.offline_until),
    attemptCount: Number(row.attempt_count),
    completedAt: date(row.completed_at),
    completionRecordId: row.completion_record_id,
    expiredAt: date(row.expired_at),
    revokedAt: date(row.revoked_at),
    revokeReason: row.revoke_reason as Enrollment["revokeReason"],
    unenrolledAt: date(row.unenrolled_at),
    erasedAt: date(row.erased_at),
    holdReason: row.hold_reason as Enrollment["holdReason"],
  };
}

const COLUMNS = `id, tenant_id, user_id, course_id, course_version_id, run_key, source_kind, source_ref, license_id, order_id,
  status, mode, enrolled_at, expires_at, offline, offline_until, attempt_count, completed_at, completion_record_id,
  expired_at, revoked_at, revoke_reason, unenrolled_at, erased_at, hold_reason`;

// A new enrollment of a held license starts held: it copies the mark of the license's other
// enrollments in the same statement (a partial index finds a held one; no extra round trip).
const INSERT_ENROLLMENTS = `INSERT INTO enrollment.enrollments (id, tenant_id, user_id, course_id, course_version_id, run_key, source_kind, source_ref,
    license_id, order_id, status, mode, enrolled_at, expires_at, offline, offline_until, attempt_count, updated_at, hold_reason)
  SELECT u.*, 0, $17::timestamptz,
         (SELECT h.hold_reason FROM enrollment.enrollments h WHERE h.license_id = u.license_id AND h.hold_reason IS NOT NULL LIMIT 1)
    FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[],
    $9::text[], $10::text[], $11::text[], $12::text[], $13::timestamptz[], $14::timestamptz[], $15::boolean[], $16::timestamptz[])
      AS u(id, tenant_id, user_id, course_id, course_version_id, run_key, source_kind, source_ref, license_id, order_id, status, mode,
           enrolled_at, expires_at, offline, offline_until)`;

function enrollmentColumns(enrollments: readonly Enrollment[], now: Date): unknown[] {
  const col = <T>(pick: (e: Enrollment) => T) => enrollments.map(pick);
  return [
    col((e) => e.id),
    col((e) => e.tenantId),
    col((e) => e.userId),
    col((e) => e.courseId),
    col((e) => e.courseVersionId),
    col((e) => e.runKey),
    col((e) => e.source.kind),
    col((e) => e.source.ref),
    col((e) => e.licenseId),
    col((e) => e.orderId),
    col((e) => e.status),
    col((e) => e.mode),
    col((e) => e.enrolledAt.toISOString()),
    col((e) => iso(e.expiresAt)),
    col((e) => e.offline),
    col((e) => iso(e.offlineUntil)),
    now.toISOString(),
  ];
}

/**
 * Set-based create: one INSERT … ON CONFLICT DO NOTHING over arrays, so 10,000 enrollments are one
 * statement. Returns only the rows this statement created (seed 000 §5: a known key creates nothing).
 */
export async function insertEnrollments(sql: Sql, enrollments: readonly Enrollment[], now: Date): Promise<Enrollment[]> {
  if (enrollments.length === 0) return [];
  const result = await sql.query<EnrollmentRow>(
    `${INSERT_ENROLLMENTS}
     ON CONFLICT (tenant_id, user_id, course_id, source_ref) DO NOTHING
     RETURNING ${COLUMNS}`,
    enrollmentColumns(enrollments, now),
  );
  return result.rows.map(fromRow);
}

/** Enrollments whose keys cannot exist yet, sent without waiting: a duplicate key fails the transaction. */
export function sendNewEnrollments(tx: Tx, enrollments: readonly Enrollment[], now: Date): void {
  if (enrollments.length > 0) tx.send(INSERT_ENROLLMENTS, enrollmentColumns(enrollments, now));
}

/** The ids already holding some (tenantId, userId, courseId, source.ref) keys. */
export async function findByKeys(
  sql: Sql,
  keys: ReadonlyArray<Pick<Enrollment, "tenantId" | "userId" | "courseId"> & { sourceRef: string }>,
): Promise<Map<string, string>> {
  if (keys.length === 0) return new Map();
  const result = await sql.query<{ id: string; tenant_id: string; user_id: string; course_id: string; source_ref: string }>(
    `SELECT e.id, e.tenant_id, e.user_id, e.course_id, e.source_ref
       FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) AS k(tenant_id, user_id, course_id, source_ref)
       JOIN enrollment.enrollments e USING (tenant_id, user_id, course_id, source_ref)
      WHERE e.user_id = ANY ($2::text[])`, // an index condition whatever the plan (statements are prepared)
    [keys.map((k) => k.tenantId), keys.map((k) => k.userId), keys.map((k) => k.courseId), keys.map((k) => k.sourceRef)],
  );
  return new Map(result.rows.map((r) => [keyOf(r.tenant_id, r.user_id, r.course_id, r.source_ref), r.id]));
}

export const keyOf = (tenantId: string, userId: string, courseId: string, sourceRef: string) =>
  `${tenantId}\u0000${userId}\u0000${courseId}\u0000${sourceRef}`;

/** Sent without waiting: nothing reads it back. */
export function sendExpiryDeadlines(tx: Tx, enrollments: readonly Enrollment[]): void {
  const due = enrollments.filter((e) => e.expiresAt !== null);
  if (due.length === 0) return;
  tx.send(
    `INSERT INTO enrollment.expiry_due (enrollment_id, tenant_id, due_at)
     SELECT * FROM unnest($1::text[], $2::text[], $3::timestamptz[]) ON CONFLICT DO NOTHING`,
    [due.map((e) => e.id), due.map((e) => e.tenantId), due.map((e) => e.expiresAt!.toISOString())],
  );
}

export async function loadEnrollment(sql: Sql, id: string, lock = false): Promise<Enrollment | null> {
  const result = await sql.query<EnrollmentRow>(`SELECT ${COLUMNS} FROM enrollment.enrollments WHERE id = $1${lock ? " FOR UPDATE" : ""}`, [
    id,
  ]);
  return result.rows[0] ? fromRow(result.rows[0]) : null;
}

export async function loadEnrollments(sql: Sql, ids: readonly string[]): Promise<Enrollment[]> {
  const result = await sql.query<EnrollmentRow>(
    `SELECT ${COLUMNS} FROM enrollment.enrollments WHERE id = ANY($1::text[]) ORDER BY id FOR UPDATE`,
    [ids],
  );
  return result.rows.map(fromRow);
}

/** A learner's enrollments in one course (optionally within one tenant), locked for a state change. */
export async function loadForLearnerCourse(sql: Sql, userId: string, courseId: string, tenantId: string | null): Promise<Enrollment[]> {
  const result = await sql.query<EnrollmentRow>(
    `SELECT ${COLUMNS} FROM enrollment.enrollments
      WHERE user_id = $1 AND course_id = $2 AND ($3::text IS NULL OR tenant_id = $3)
      ORDER BY id FOR UPDATE`,
    [userId, courseId, tenantId],
  );
  return result.rows.map(fromRow);
}

export async function loadByLicense(sql: Sql, licenseId: string): Promise<Enrollment[]> {
  const result = await sql.query<EnrollmentRow>(
    `SELECT ${COLUMNS} FROM enrollment.enrollments WHERE license_id = $1 ORDER BY id FOR UPDATE`,
    [licenseId],
  );
  return result.rows.map(fromRow);
}

export async function loadByUser(sql: Sql, userId: string): Promise<Enrollment[]> {
  const result = await sql.query<EnrollmentRow>(`SELECT ${COLUMNS} FROM enrollment.enrollments WHERE user_id = $1 ORDER BY id FOR UPDATE`, [
    userId,
  ]);
  return result.rows.map(fromRow);
}

/** Persists what the lifecycle may change after creation. */
export async function saveEnrollment(sql: Sql, e: Enrollment, now: Date): Promise<void> {
  await sql.query(
    `UPDATE enrollment.enrollments
        SET user_id = $2, status = $3, mode = $4, attempt_count = $5, completed_at = $6, completion_record_id = $7,
            expired_at = $8, revoked_at = $9, revoke_reason = $10, unenrolled_at = $11, erased_at = $12, updated_at = $13,
            hold_reason = $14, expires_at = $15
      WHERE id = $1`,
    [
      e.id,
      e.userId,
      e.status,
      e.mode,
      e.attemptCount,
      iso(e.completedAt),
      e.completionRecordId,
      iso(e.expiredAt),
      iso(e.revokedAt),
      e.revokeReason,
      iso(e.unenrolledAt),
      iso(e.erasedAt),
      now.toISOString(),
      e.holdReason,
      iso(e.expiresAt),
    ],
  );
}

/** Cursor page of enrollments (by id, which is time-ordered) for a learner and/or a course, within the RLS scope. */
export async function listEnrollments(
  sql: Sql,
  filter: { userId?: string; courseId?: string; after?: string; limit: number },
): Promise<Enrollment[]> {
  const result = await sql.query<EnrollmentRow>(
    `SELECT ${COLUMNS} FROM enrollment.enrollments
      WHERE ($1::text IS NULL OR user_id = $1) AND ($2::text IS NULL OR course_id = $2) AND ($3::text IS NULL OR id > $3)
      ORDER BY id LIMIT $4`,
    [filter.userId ?? null, filter.courseId ?? null, filter.after ?? null, filter.limit],
  );
  return result.rows.map(fromRow);
}

/** Claims due expiry deadlines; SKIP LOCKED lets several processes share the work without double-firing. */
export async function claimDueExpiries(sql: Sql, now: Date, limit: number): Promise<string[]> {
  const result = await sql.query<{ enrollment_id: string }>(
    `SELECT enrollment_id FROM enrollment.expiry_due WHERE due_at <= $1 ORDER BY due_at LIMIT $2 FOR UPDATE SKIP LOCKED`,
    [now.toISOString(), limit],
  );
  return result.rows.map((r) => r.enrollment_id);
}

/** A moved end date moves its deadline (or creates it: the row may have gone with an earlier pass). */
export async function moveExpiryDeadlines(sql: Sql, enrollments: readonly Enrollment[]): Promise<void> {
  const due = enrollments.filter((e) => e.expiresAt !== null);
  if (due.length === 0) return;
  await sql.query(
    `INSERT INTO enrollment.expiry_due (enrollment_id, tenant_id, due_at)
     SELECT * FROM unnest($1::text[], $2::text[], $3::timestamptz[])
     ON CONFLICT (enrollment_id) DO UPDATE SET due_at = EXCLUDED.due_at`,
    [due.map((e) => e.id), due.map((e) => e.tenantId), due.map((e) => e.expiresAt!.toISOString())],
  );
}

export async function deleteExpiryDeadlines(sql: Sql, enrollmentIds: readonly string[]): Promise<void> {
  await sql.query(`DELETE FROM enrollment.expiry_due WHERE enrollment_id = ANY($1::text[])`, [enrollmentIds]);
}
