import type { Sql } from "../../../platform/db/db.js";
import type { Course } from "./course.domain.js";

/** The queries for catalog.courses, catalog.course_versions and catalog.course_runs. */
export interface VersionRow {
  courseVersionId: string;
  courseId: string;
  label: string | null;
  publishedAt: Date | null;
  playPackageBuiltAt: Date | null;
  playPackageId: string | null;
}

export interface RunRow {
  runId: string;
  runKey: string;
  courseId: string;
  courseVersionId: string;
  startsAt: Date;
  endsAt: Date | null;
  enrollable: boolean;
  advertised: boolean;
}

const COURSE = `course_id AS "courseId", provider_id AS "providerId", title, audit_available AS "auditAvailable"`;
const VERSION = `course_version_id AS "courseVersionId", course_id AS "courseId", label, published_at AS "publishedAt",
  play_package_built_at AS "playPackageBuiltAt", play_package_id AS "playPackageId"`;
const RUN = `run_id AS "runId", run_key AS "runKey", course_id AS "courseId", course_version_id AS "courseVersionId",
  starts_at AS "startsAt", ends_at AS "endsAt", enrollable, advertised`;

export async function insertCourse(sql: Sql, course: Course, at: Date): Promise<boolean> {
  const result = await sql.query(
    `INSERT INTO catalog.courses (course_id, provider_id, title, audit_available, created_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING`,
    [course.courseId, course.providerId, course.title, course.auditAvailable, at],
  );
  return result.rowCount === 1;
}

export async function findCourse(sql: Sql, courseId: string, lock = false): Promise<Course | null> {
  const result = await sql.query<Course>(`SELECT ${COURSE} FROM catalog.courses WHERE course_id = $1${lock ? " FOR UPDATE" : ""}`, [
    courseId,
  ]);
  return result.rows[0] ?? null;
}

export async function updateCourse(sql: Sql, courseId: string, change: { title?: string; auditAvailable?: boolean }): Promise<void> {
  await sql.query(
    `UPDATE catalog.courses SET title = COALESCE($2, title), audit_available = COALESCE($3, audit_available) WHERE course_id = $1`,
    [courseId, change.title ?? null, change.auditAvailable ?? null],
  );
}

/**
 * Registers a version. A row created earlier by an upstream event (no label yet) is adopted; any
 * other existing row means the id is taken. Returns false when taken.
 */
export async function insertVersion(sql: Sql, v: { courseVersionId: string; courseId: string; label: string; at: Date }): Promise<boolean> {
  const result = await sql.query(
    `INSERT INTO catalog.course_versions (course_version_id, course_id, label, created_at) VALUES ($1, $2, $3, $4)
     ON CONFLICT (course_version_id) DO UPDATE SET label = EXCLUDED.label
       WHERE course_versions.label IS NULL AND course_versions.course_id = EXCLUDED.course_id`,
    [v.courseVersionId, v.courseId, v.label, v.at],
  );
  return result.rowCount === 1;
}

export async function findVersion(sql: Sql, courseVersionId: string): Promise<VersionRow | null> {
  const result = await sql.query<VersionRow>(`SELECT ${VERSION} FROM catalog.course_versions WHERE course_version_id = $1`, [
    courseVersionId,
  ]);
  return result.rows[0] ?? null;
}

export async function versionsOf(sql: Sql, courseId: string): Promise<VersionRow[]> {
  return (
    await sql.query<VersionRow>(
      `SELECT ${VERSION} FROM catalog.course_versions WHERE course_id = $1 ORDER BY created_at, course_version_id`,
      [courseId],
    )
  ).rows;
}

/** Upstream facts: first publication / first built package win; returns the row's course id. */
export async function markVersion(
  sql: Sql,
  fact: { courseId: string; courseVersionId: string; at: Date; published?: true; packageId?: string | null },
): Promise<string> {
  const result = await sql.query<{ courseId: string }>(
    `INSERT INTO catalog.course_versions (course_version_id, course_id, published_at, play_package_built_at, play_package_id, created_at)
     VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT (course_version_id) DO UPDATE SET
       published_at = COALESCE(course_versions.published_at, EXCLUDED.published_at),
       play_package_built_at = COALESCE(course_versions.play_package_built_at, EXCLUDED.play_package_built_at),
       play_package_id = COALESCE(course_versions.play_package_id, EXCLUDED.play_package_id)
     RETURNING course_id AS "courseId"`,
    [
      fact.courseVersionId,
      fact.courseId,
      fact.published ? fact.at : null,
      fact.published ? null : fact.at,
      fact.packageId ?? null,
      fact.at,
    ],
  );
  return result.rows[0]!.courseId;
}

export async function unadvertiseRuns(sql: Sql, courseId: string): Promise<void> {
  await sql.query(`UPDATE catalog.course_runs SET advertised = false WHERE course_id = $1 AND advertised`, [courseId]);
}

export async function insertRun(sql: Sql, run: RunRow, at: Date): Promise<boolean> {
  const result = await sql.query(
    `INSERT INTO catalog.course_runs (run_id, run_key, course_id, course_version_id, starts_at, ends_at, enrollable, advertised, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (run_key) DO NOTHING`,
    [run.runId, run.runKey, run.courseId, run.courseVersionId, run.startsAt, run.endsAt, run.enrollable, run.advertised, at],
  );
  return result.rowCount === 1;
}

export async function advertiseRun(sql: Sql, courseId: string, runKey: string): Promise<boolean> {
  const result = await sql.query(`UPDATE catalog.course_runs SET advertised = true WHERE course_id = $1 AND run_key = $2`, [
    courseId,
    runKey,
  ]);
  return result.rowCount === 1;
}

export async function runsOf(sql: Sql, courseId: string): Promise<RunRow[]> {
  return (await sql.query<RunRow>(`SELECT ${RUN} FROM catalog.course_runs WHERE course_id = $1 ORDER BY starts_at, run_key`, [courseId]))
    .rows;
}

export async function findRunByKey(sql: Sql, runKey: string): Promise<RunRow | null> {
  return (await sql.query<RunRow>(`SELECT ${RUN} FROM catalog.course_runs WHERE run_key = $1`, [runKey])).rows[0] ?? null;
}
