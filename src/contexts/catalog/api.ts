import type { Clock } from "../../platform/clock.js";
import type { Sql } from "../../platform/db/db.js";
import { contentOf, courseFactsOf, enrollableVersionOf, listableCourseOf, runFactsOf, type CourseFacts } from "./course-facts.js";

export type { CourseFacts };

/** A course run as other contexts see it: `open` = enrollable and not over yet, at this app's now. */
export interface RunFacts {
  courseId: string;
  runKey: string;
  courseVersionId: string;
  advertised: boolean;
  enrollable: boolean;
  open: boolean;
}

/**
 * What other contexts may ask the catalog (through ports they own, wired in src/wiring.ts). Reads
 * run in the caller's transaction; "now" is this app's clock, never another app's in the process.
 */
export interface CatalogApi {
  courseFacts(sql: Sql, courseId: string): Promise<CourseFacts | null>;
  /** The advertised run's version, else the newest published one; null when none is published. */
  enrollableVersion(sql: Sql, courseId: string): Promise<string | null>;
  listableCourse(sql: Sql, courseId: string, courseVersionId: string): Promise<{ providerId: string; versionOfCourse: boolean } | null>;
  /** What each content key is: a course id, or a course run key (with its course). */
  content(
    sql: Sql,
    keys: readonly string[],
  ): Promise<Array<{ contentKey: string; contentType: "course" | "course_run"; courseId: string }>>;
  runFacts(sql: Sql, courseIds: readonly string[]): Promise<RunFacts[]>;
}

export function catalogApi(clock: Clock): CatalogApi {
  return {
    courseFacts: (sql, courseId) => courseFactsOf(sql, courseId, clock.now()),
    enrollableVersion: enrollableVersionOf,
    listableCourse: listableCourseOf,
    content: contentOf,
    runFacts: (sql, courseIds) => runFactsOf(sql, courseIds, clock.now()),
  };
}
