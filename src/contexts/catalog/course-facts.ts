import type { Sql } from "../../platform/db/db.js";
import { isRunOpen } from "./courses/course.domain.js";

/**
 * What other contexts may ask the catalog (through a port they own, wired outside the contexts):
 * enrollment needs audit availability and the advertised / enrollable runs (seed 003).
 */
export interface CourseFacts {
  courseId: string;
  providerId: string;
  auditAvailable: boolean;
  advertisedRun: { runKey: string; courseVersionId: string; enrollable: boolean; open: boolean; startsAt: Date } | null;
}

export async function courseFactsOf(sql: Sql, courseId: string, now: Date): Promise<CourseFacts | null> {
  const result = await sql.query<{
    providerId: string;
    auditAvailable: boolean;
    runKey: string | null;
    courseVersionId: string | null;
    enrollable: boolean | null;
    startsAt: Date | null;
    endsAt: Date | null;
  }>(
    `SELECT c.provider_id AS "providerId", c.audit_available AS "auditAvailable", r.run_key AS "runKey", r.course_version_id AS "courseVersionId",
            r.enrollable, r.starts_at AS "startsAt", r.ends_at AS "endsAt"
       FROM catalog.courses c LEFT JOIN catalog.course_runs r ON r.course_id = c.course_id AND r.advertised
      WHERE c.course_id = $1`,
    [courseId],
  );
  const row = result.rows[0];
  if (!row) return null;
  return {
    courseId,
    providerId: row.providerId,
    auditAvailable: row.auditAvailable,
    advertisedRun: row.runKey
      ? {
          runKey: row.runKey,
          courseVersionId: row.courseVersionId!,
          enrollable: row.enrollable!,
          open: isRunOpen({ enrollable: row.enrollable!, endsAt: row.endsAt }, now),
          startsAt: new Date(row.startsAt!),
        }
      : null,
  };
}

/**
 * The version a learner is enrolled in when nothing upstream named one (an assignment window,
 * seed 000 §3): the advertised run's version, else the course's newest published version; null when
 * the catalog knows no published version of the course (yet).
 */
export async function enrollableVersionOf(sql: Sql, courseId: string): Promise<string | null> {
  const result = await sql.query<{ courseVersionId: string }>(
    `SELECT course_version_id AS "courseVersionId" FROM (
       SELECT r.course_version_id, 0 AS rank, NULL::timestamptz AS at FROM catalog.course_runs r WHERE r.course_id = $1 AND r.advertised
       UNION ALL
       SELECT v.course_version_id, 1, v.published_at FROM catalog.course_versions v WHERE v.course_id = $1 AND v.published_at IS NOT NULL
     ) candidates ORDER BY rank, at DESC NULLS LAST, course_version_id DESC LIMIT 1`,
    [courseId],
  );
  return result.rows[0]?.courseVersionId ?? null;
}

/** Who provides the course, and whether the version is one of its versions (listing creation, seed 001 §5.1). */
export async function listableCourseOf(
  sql: Sql,
  courseId: string,
  courseVersionId: string,
): Promise<{ providerId: string; versionOfCourse: boolean } | null> {
  const result = await sql.query<{ providerId: string; versionOfCourse: boolean }>(
    `SELECT c.provider_id AS "providerId",
            EXISTS (SELECT 1 FROM catalog.course_versions v WHERE v.course_version_id = $2 AND v.course_id = c.course_id) AS "versionOfCourse"
       FROM catalog.courses c WHERE c.course_id = $1`,
    [courseId, courseVersionId],
  );
  return result.rows[0] ?? null;
}

/** Default enrollments (seed 003): what each content key is — a course id, or a course run key (with its course). */
export async function contentOf(
  sql: Sql,
  keys: readonly string[],
): Promise<Array<{ contentKey: string; contentType: "course" | "course_run"; courseId: string }>> {
  if (keys.length === 0) return [];
  const result = await sql.query<{ contentKey: string; contentType: "course" | "course_run"; courseId: string }>(
    `SELECT c.course_id AS "contentKey", 'course' AS "contentType", c.course_id AS "courseId" FROM catalog.courses c WHERE c.course_id = ANY($1::text[])
     UNION ALL
     SELECT r.run_key, 'course_run', r.course_id FROM catalog.course_runs r WHERE r.run_key = ANY($1::text[])`,
    [keys],
  );
  return result.rows;
}

/** Every run of these courses with its advertised / enrollable flags and whether it is open now. */
export async function runFactsOf(
  sql: Sql,
  courseIds: readonly string[],
  now: Date,
): Promise<Array<{ courseId: string; runKey: string; courseVersionId: string; advertised: boolean; enrollable: boolean; open: boolean }>> {
  if (courseIds.length === 0) return [];
  const result = await sql.query<{
    courseId: string;
    runKey: string;
    courseVersionId: string;
    advertised: boolean;
    enrollable: boolean;
    endsAt: Date | string | null;
  }>(
    `SELECT course_id AS "courseId", run_key AS "runKey", course_version_id AS "courseVersionId", advertised, enrollable, ends_at AS "endsAt"
       FROM catalog.course_runs WHERE course_id = ANY($1::text[]) ORDER BY course_id, starts_at, run_key`,
    [courseIds],
  );
  return result.rows.map((r) => ({
    courseId: r.courseId,
    runKey: r.runKey,
    courseVersionId: r.courseVersionId,
    advertised: r.advertised,
    enrollable: r.enrollable,
    open: isRunOpen({ enrollable: r.enrollable, endsAt: r.endsAt === null ? null : new Date(r.endsAt) }, now),
  }));
}
