import type { Tx } from "../../../platform/db/db.js";
import type { EventContext } from "../../../platform/events/envelope.js";
import type { Principal } from "../../../platform/http/auth.js";
import { RejectionError } from "../../../platform/result.js";
import { refuse } from "../errors.js";
import type { EnrollmentDeps } from "../enrollment-deps.js";
import { mayActOn } from "../reader-scope.js";
import { changeEnrollment } from "./change-enrollment.js";
import type { Enrollment } from "./enrollment.domain.js";
import { loadEnrollment } from "./enrollments.sql.js";

/** The learner leaves: status revoked, `unenrolledAt` set, enrollment.revoked.v1 emitted. */
export async function unenroll(
  deps: EnrollmentDeps,
  tx: Tx,
  principal: Principal,
  enrollmentId: string,
  context: EventContext,
): Promise<Enrollment> {
  const current = await loadEnrollment(tx, enrollmentId, true);
  if (!current) throw refuse({ code: "ENROLLMENT.NOT_FOUND", detail: "no such enrollment" });
  if (!mayActOn(principal, current.userId)) throw refuse({ code: "AUTH.FORBIDDEN", detail: "only the learner (or an admin) may unenroll" });
  const changed = await changeEnrollment(deps, tx, current, { type: "Unenroll", at: deps.kernel.clock.now() }, context);
  if (!changed.ok) throw new RejectionError(changed.rejection);
  return changed.value.enrollment;
}
