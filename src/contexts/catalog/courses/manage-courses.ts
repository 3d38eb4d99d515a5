import type { Principal } from "../../../platform/http/auth.js";
import { newId } from "../../../platform/ids.js";
import type { Kernel } from "../../../platform/kernel.js";
import { unwrap } from "../../../platform/result.js";
import { refuse } from "../errors.js";
import { checkRunWindow, mayManageCourse, type Course } from "./course.domain.js";
import {
  advertiseRun,
  findCourse,
  findRunByKey,
  findVersion,
  insertCourse,
  insertRun,
  insertVersion,
  unadvertiseRuns,
  updateCourse,
  type RunRow,
} from "./courses.sql.js";

type Who = Pick<Principal, "roles" | "providerId">;
const notFound = (courseId: string) => refuse({ code: "CATALOG.COURSE_NOT_FOUND", detail: `no course ${courseId}` });

export async function createCourse(
  kernel: Kernel,
  who: Who,
  input: { courseId?: string; providerId: string; title: string; auditAvailable?: boolean },
): Promise<Course> {
  unwrap(mayManageCourse(who, input.providerId));
  const course: Course = {
    courseId: input.courseId ?? newId("crs"),
    providerId: input.providerId,
    title: input.title,
    auditAvailable: input.auditAvailable ?? true,
  };
  const created = await kernel.db.tx((tx) => insertCourse(tx, course, kernel.clock.now()));
  if (!created) throw refuse({ code: "CATALOG.COURSE_EXISTS", detail: `course ${course.courseId} exists`, field: "body/courseId" });
  return course;
}

export async function changeCourse(
  kernel: Kernel,
  who: Who,
  courseId: string,
  change: { title?: string; auditAvailable?: boolean },
): Promise<Course> {
  return kernel.db.tx(async (tx) => {
    const course = await findCourse(tx, courseId, true);
    if (!course) throw notFound(courseId);
    unwrap(mayManageCourse(who, course.providerId));
    await updateCourse(tx, courseId, change);
    return { ...course, ...Object.fromEntries(Object.entries(change).filter(([, v]) => v !== undefined)) };
  });
}

export async function addVersion(kernel: Kernel, who: Who, courseId: string, input: { courseVersionId?: string; label: string }) {
  return kernel.db.tx(async (tx) => {
    const course = await findCourse(tx, courseId);
    if (!course) throw notFound(courseId);
    unwrap(mayManageCourse(who, course.providerId));
    const courseVersionId = input.courseVersionId ?? newId("cv");
    if (!(await insertVersion(tx, { courseVersionId, courseId, label: input.label, at: kernel.clock.now() }))) {
      throw refuse({
        code: "CATALOG.VERSION_EXISTS",
        detail: `version ${courseVersionId} exists`,
        field: "body/courseVersionId",
      });
    }
    return (await findVersion(tx, courseVersionId))!;
  });
}

export interface AddRun {
  runKey: string;
  courseVersionId: string;
  startsAt: Date;
  endsAt: Date | null;
  enrollable: boolean;
  advertised: boolean;
}

/**
 * The course row is locked first, so runs of one course are added one at a time: advertising a
 * new run un-advertises the old one in the same transaction, and the partial unique index is the
 * backstop (at most one advertised run per course).
 */
export async function addRun(kernel: Kernel, who: Who, courseId: string, input: AddRun): Promise<RunRow> {
  unwrap(checkRunWindow(input));
  return kernel.db.tx(async (tx) => {
    const course = await findCourse(tx, courseId, true);
    if (!course) throw notFound(courseId);
    unwrap(mayManageCourse(who, course.providerId));
    const version = await findVersion(tx, input.courseVersionId);
    if (!version || version.courseId !== courseId) {
      throw refuse({
        code: "CATALOG.VERSION_UNKNOWN",
        detail: `course ${courseId} has no version ${input.courseVersionId}`,
        field: "body/courseVersionId",
      });
    }
    if (input.advertised) await unadvertiseRuns(tx, courseId);
    const run: RunRow = { runId: newId("run"), courseId, ...input };
    if (!(await insertRun(tx, run, kernel.clock.now())))
      throw refuse({ code: "CATALOG.RUN_KEY_TAKEN", detail: `run key ${input.runKey} is taken`, field: "body/runKey" });
    return run;
  });
}

export async function advertise(kernel: Kernel, who: Who, courseId: string, runKey: string): Promise<RunRow> {
  return kernel.db.tx(async (tx) => {
    const course = await findCourse(tx, courseId, true);
    if (!course) throw notFound(courseId);
    unwrap(mayManageCourse(who, course.providerId));
    await unadvertiseRuns(tx, courseId);
    if (!(await advertiseRun(tx, courseId, runKey)))
      throw refuse({ code: "CATALOG.RUN_NOT_FOUND", detail: `course ${courseId} has no run ${runKey}` });
    return (await findRunByKey(tx, runKey))!;
  });
}
