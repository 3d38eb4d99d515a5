import { AssignmentWindowOpened } from "../../../contracts/upstream.js";
import type { Consumer } from "../../../platform/events/consumers.js";
import type { Envelope } from "../../../platform/events/envelope.js";
import type { PayloadOf } from "../../../platform/events/registry.js";
import type { EnrollmentDeps } from "../enrollment-deps.js";
import { insertDeferred } from "./deferred-enrollments.sql.js";

const text = (value: unknown): string | null => (typeof value === "string" && value.length > 0 ? value : null);

/**
 * assignment.window.opened.v1 → a deferred enrollment (seed 000 §3): nothing is enrolled until the
 * learner first plays the course inside the window. The tenant is the envelope's (or a `tenantId`
 * in the payload); the payload may also carry `courseVersionId` / `runKey` (the schema is open).
 */
export function openAssignmentWindow(deps: EnrollmentDeps): Consumer {
  return {
    name: "enrollment.assignment-window-opened",
    types: [AssignmentWindowOpened.type],
    async handle(tx, event: Envelope) {
      const p = event.payload as PayloadOf<typeof AssignmentWindowOpened> & Record<string, unknown>;
      const tenantId = event.tenantId ?? text(p.tenantId);
      if (!tenantId) throw new Error(`assignment ${p.assignmentId} names no tenant; an enrollment needs one`);
      await insertDeferred(
        tx,
        {
          tenantId,
          userId: p.userId,
          courseId: p.courseId,
          assignmentId: p.assignmentId,
          courseVersionId: text(p.courseVersionId),
          runKey: text(p.runKey),
          opensAt: new Date(p.opensAt),
          closesAt: p.closesAt ? new Date(p.closesAt) : null,
        },
        deps.kernel.clock.now(),
      );
      // The learner is now entitled (deferred); a cached "no" must go.
      tx.afterCommit(() => deps.cache.invalidate([p.userId]));
    },
  };
}
