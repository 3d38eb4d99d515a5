import { ok, type Result } from "../../../platform/result.js";
import { reject } from "../errors.js";

/** The catalog's projection of a course: who provides it, whether audit mode is offered. */
export interface Course {
  courseId: string;
  providerId: string;
  title: string;
  auditAvailable: boolean;
}

/** A platform admin manages any course; a provider only its own (token pid). */
export function mayManageCourse(principal: { roles: readonly string[]; providerId?: string }, providerId: string): Result<null> {
  if (principal.roles.includes("platform_admin")) return ok(null);
  if (principal.roles.includes("provider") && principal.providerId === providerId) return ok(null);
  return reject("CATALOG.NOT_COURSE_OWNER", "only the course's provider or a platform admin may do this");
}

export interface RunInput {
  startsAt: Date;
  endsAt: Date | null;
}

export function checkRunWindow(run: RunInput): Result<null> {
  if (run.endsAt && run.endsAt.getTime() <= run.startsAt.getTime())
    return reject("CATALOG.RUN_ENDS_BEFORE_START", "a run must end after it starts", "body/endsAt");
  return ok(null);
}

/** A run can be enrolled in when flagged enrollable and not over yet. */
export function isRunOpen(run: { enrollable: boolean; endsAt: Date | null }, now: Date): boolean {
  return run.enrollable && (run.endsAt === null || run.endsAt.getTime() > now.getTime());
}
