import { PlaySessionStarted } from "../../../contracts/upstream.js";
import type { Tx } from "../../../platform/db/db.js";
import type { Consumer } from "../../../platform/events/consumers.js";
import { contextFrom, type Envelope, type EventContext } from "../../../platform/events/envelope.js";
import type { PayloadOf } from "../../../platform/events/registry.js";
import type { EnrollmentDeps } from "../enrollment-deps.js";
import { changeEnrollment } from "../enrollments/change-enrollment.js";
import { createEnrollments } from "../enrollments/create-enrollments.js";
import { rank, type Enrollment } from "../enrollments/enrollment.domain.js";
import { loadEnrollment, loadForLearnerCourse } from "../enrollments/enrollments.sql.js";
import { markRealized, openWindowAt } from "./deferred-enrollments.sql.js";
import { EnrollmentNotYetKnown } from "./not-yet-known.js";

type Payload = PayloadOf<typeof PlaySessionStarted> & Record<string, unknown>;

/**
 * delivery.play_session.started.v1 → enrollment.accessed.v1 with the next attempt number (seed 000
 * §2.5, §3). If the learner has no usable enrollment yet but one is deferred — an assignment window
 * that is open now, or a site license covering them — it is created first.
 */
export function recordPlaySession(deps: EnrollmentDeps): Consumer {
  return {
    name: "enrollment.play-session-started",
    types: [PlaySessionStarted.type],
    async handle(tx, event: Envelope) {
      const p = event.payload as Payload;
      const context = contextFrom(event);
      const usable = (await loadForLearnerCourse(tx, p.userId, p.courseId, event.tenantId))
        .filter((e) => rank(e) < 3)
        .sort((a, b) => rank(a) - rank(b));
      const enrollment = usable[0] ?? (await realizeDeferred(deps, tx, event, p, context));
      if (!enrollment) throw new EnrollmentNotYetKnown(`no enrollment for ${p.userId} in ${p.courseId} (yet)`);
      await changeEnrollment(deps, tx, enrollment, { type: "Access", at: new Date(p.startedAt) }, context);
    },
  };
}

async function realizeDeferred(
  deps: EnrollmentDeps,
  tx: Tx,
  event: Envelope,
  p: Payload,
  context: EventContext,
): Promise<Enrollment | null> {
  const startedAt = new Date(p.startedAt);
  const window = await openWindowAt(tx, p.userId, p.courseId, event.tenantId, startedAt);
  if (window) {
    const courseVersionId = window.courseVersionId ?? versionIn(p) ?? (await deps.ports.currentCourseVersion(p.courseId, tx));
    // The catalog may learn a published version later: retried like any not-yet-known fact, then dead-lettered.
    if (!courseVersionId)
      throw new EnrollmentNotYetKnown(`no published version of ${p.courseId} known; cannot realize assignment ${window.assignmentId}`);
    const { results } = await createEnrollments(
      deps,
      tx,
      [
        {
          tenantId: window.tenantId,
          userId: p.userId,
          courseId: p.courseId,
          courseVersionId,
          ...(window.runKey ? { runKey: window.runKey } : {}),
          source: { kind: "assignment", ref: window.assignmentId },
        },
      ],
      context,
    );
    await markRealized(tx, window, results[0]!.enrollmentId, deps.kernel.clock.now());
    return loadEnrollment(tx, results[0]!.enrollmentId, true);
  }
  const cover = await deps.ports.siteLicenses.coveringLicense(tx, event.tenantId ?? undefined, p.userId, p.courseId);
  if (cover) {
    const { results } = await createEnrollments(
      deps,
      tx,
      [
        {
          tenantId: cover.tenantId,
          userId: p.userId,
          courseId: p.courseId,
          courseVersionId: cover.courseVersionId,
          source: { kind: "site_license", ref: cover.licenseId },
          licenseId: cover.licenseId,
          ...(cover.orderId ? { orderId: cover.orderId } : {}),
          ...(cover.runKey ? { runKey: cover.runKey } : {}),
          ...(cover.expiresAt ? { expiresAt: cover.expiresAt } : {}),
          ...(cover.offlineUntil ? { offlineUntil: cover.offlineUntil } : {}),
        },
      ],
      context,
    );
    return loadEnrollment(tx, results[0]!.enrollmentId, true);
  }
  return null;
}

const versionIn = (p: Payload): string | null =>
  typeof p.courseVersionId === "string" && p.courseVersionId.length > 0 ? p.courseVersionId : null;
