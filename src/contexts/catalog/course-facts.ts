import type { Sql } from "../../platform/db/db.js";
import { isRunOpen } from "./courses/course.js";

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
  const result = await sql.query<{ providerId: string; auditAvailable: boolean; runKey: string | null; courseVersionId: string | null; enrollable: boolean | null; startsAt: Date | null; endsAt: Date | null }>(
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
      ? { runKey: row.runKey, courseVersionId: row.courseVersionId!, enrollable: row.enrollable!, open: isRunOpen({ enrollable: row.enrollable!, endsAt: row.endsAt }, now), startsAt: new Date(row.startsAt!) }
      : null,
  };
}
