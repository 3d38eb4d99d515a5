import { CompletionRecorded } from "../../../contracts/upstream.js";
import type { Consumer } from "../../../platform/events/consumers.js";
import { contextFrom, type Envelope } from "../../../platform/events/envelope.js";
import type { PayloadOf } from "../../../platform/events/registry.js";
import type { EnrollmentDeps } from "../enrollment-deps.js";
import { changeEnrollment } from "../enrollments/change-enrollment.js";
import { loadEnrollment, loadForLearnerCourse } from "../enrollments/enrollments.sql.js";
import { EnrollmentNotYetKnown } from "./not-yet-known.js";

/**
 * progress.completion.recorded.v1 → enrollment.completed.v1 (seed 000 §3). Completes the named
 * enrollment, or else the learner's active enrollments in the course. If none is active or completed
 * yet, the completion overtook the enrollment: throw so the kernel retries.
 */
export function recordCompletion(deps: EnrollmentDeps): Consumer {
  return {
    name: "enrollment.completion-recorded",
    types: [CompletionRecorded.type],
    async handle(tx, event: Envelope) {
      const p = event.payload as PayloadOf<typeof CompletionRecorded>;
      const named = p.enrollmentId ? await loadEnrollment(tx, p.enrollmentId, true) : null;
      const candidates =
        named && named.userId === p.userId ? [named] : await loadForLearnerCourse(tx, p.userId, p.courseId, event.tenantId);
      const active = candidates.filter((e) => e.status === "active");
      if (active.length === 0) {
        if (candidates.some((e) => e.status === "completed")) return; // already completed: nothing new
        throw new EnrollmentNotYetKnown(`no active enrollment for ${p.userId} in ${p.courseId} (yet)`);
      }
      for (const enrollment of active) {
        await changeEnrollment(
          deps,
          tx,
          enrollment,
          { type: "Complete", at: new Date(p.completedAt), completionRecordId: p.completionRecordId },
          contextFrom(event),
        );
      }
    },
  };
}
