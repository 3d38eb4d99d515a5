import { GdprSubjectRequestReceived } from "../../../contracts/upstream.js";
import type { Consumer } from "../../../platform/events/consumers.js";
import { contextFrom, type Envelope } from "../../../platform/events/envelope.js";
import type { PayloadOf } from "../../../platform/events/registry.js";
import type { EnrollmentDeps } from "../enrollment-deps.js";
import { changeEnrollment } from "../enrollments/change-enrollment.js";
import { loadByUser } from "../enrollments/enrollments.sql.js";
import { pseudonymizeDeferred } from "../learner-events/deferred-enrollments.sql.js";
import { asksForErasure, newPseudonym } from "./pseudonym.js";

/**
 * gdpr.subject_request.received.v1 → the subject's user id disappears from every enrollment table,
 * replaced by one irreversible pseudonym (seed 000 §3, seed 001 §5.3). Rows stay, so counts and
 * completion statistics survive anonymized. No event names the subject: erasure publishes nothing.
 */
export function eraseSubject(deps: EnrollmentDeps): Consumer {
  return {
    name: "enrollment.gdpr-erasure",
    types: [GdprSubjectRequestReceived.type],
    async handle(tx, event: Envelope) {
      const p = event.payload as PayloadOf<typeof GdprSubjectRequestReceived>;
      if (!asksForErasure(p.kind)) return;
      const pseudonym = newPseudonym();
      const at = deps.kernel.clock.now();
      for (const enrollment of await loadByUser(tx, p.subjectUserId)) {
        await changeEnrollment(deps, tx, enrollment, { type: "Erase", at, pseudonym }, contextFrom(event));
      }
      await pseudonymizeDeferred(tx, p.subjectUserId, pseudonym);
      tx.afterCommit(() => deps.cache.invalidate([p.subjectUserId]));
    },
  };
}
