import {
  EnrollmentAccessed,
  EnrollmentCompleted,
  EnrollmentCreated,
  EnrollmentExpired,
  EnrollmentModeChanged,
  EnrollmentRevoked,
} from "../../../contracts/enrollment.js";
import type { Envelope, EventContext } from "../../../platform/events/envelope.js";
import { envelope } from "../../../platform/events/registry.js";
import { newId } from "../../../platform/ids.js";
import type { Enrollment, EnrollmentEvent } from "./enrollment.domain.js";

/**
 * Domain events → wire envelopes (contracts/enrollment.ts). `enrollment` is the state AFTER the
 * events, so an erased learner's later events carry only the pseudonym. Erasure itself publishes
 * nothing: a new event naming the subject would defeat it.
 */
export function toEnvelopes(enrollment: Enrollment, events: readonly EnrollmentEvent[], now: Date, context: EventContext): Envelope[] {
  const at = { eventId: "", occurredAt: now, tenantId: enrollment.tenantId };
  const stamp = () => ({ ...at, eventId: newId("evt") });
  const who = { enrollmentId: enrollment.id, tenantId: enrollment.tenantId, userId: enrollment.userId };
  return events.flatMap((event): Envelope[] => {
    switch (event.type) {
      case "EnrollmentCreated":
        return [envelope(EnrollmentCreated, createdPayload(event.enrollment), stamp(), context)];
      case "EnrollmentAccessed":
        return [
          envelope(
            EnrollmentAccessed,
            { ...who, accessedAt: event.accessedAt.toISOString(), attemptNumber: event.attemptNumber },
            stamp(),
            context,
          ),
        ];
      case "EnrollmentCompleted":
        return [
          envelope(
            EnrollmentCompleted,
            {
              ...who,
              courseId: enrollment.courseId,
              completedAt: event.completedAt.toISOString(),
              completionRecordId: event.completionRecordId,
            },
            stamp(),
            context,
          ),
        ];
      case "EnrollmentExpired":
        return [envelope(EnrollmentExpired, { ...who, expiredAt: event.expiredAt.toISOString() }, stamp(), context)];
      case "EnrollmentRevoked":
        return [envelope(EnrollmentRevoked, { ...who, reason: event.reason, revokedAt: event.revokedAt.toISOString() }, stamp(), context)];
      case "EnrollmentModeChanged":
        return [envelope(EnrollmentModeChanged, { ...who, from: event.from, to: event.to, reason: event.reason }, stamp(), context)];
      case "EnrollmentErased":
        return [];
      // Holds and moved end dates have no wire type: whoever holds or extends (the subscription) publishes the fact.
      case "EnrollmentHeld":
      case "EnrollmentHoldReleased":
      case "EnrollmentExpiryMoved":
        return [];
      default: {
        const unreachable: never = event;
        return unreachable;
      }
    }
  });
}

function createdPayload(e: Enrollment) {
  return {
    enrollmentId: e.id,
    tenantId: e.tenantId,
    userId: e.userId,
    courseId: e.courseId,
    courseVersionId: e.courseVersionId,
    source: { kind: e.source.kind, ref: e.source.ref },
    enrolledAt: e.enrolledAt.toISOString(),
    ...(e.expiresAt ? { expiresAt: e.expiresAt.toISOString() } : {}),
    ...(e.licenseId ? { licenseId: e.licenseId } : {}),
    ...(e.orderId ? { orderId: e.orderId } : {}),
  };
}

/** seed 000 §2.0: the refund saga's one aggregate per order. */
export function revokedForOrder(
  orderId: string,
  revokedCount: number,
  tenantId: string | null,
  now: Date,
  context: EventContext,
): Envelope {
  return envelope(EnrollmentRevoked, { orderId, revokedCount }, { eventId: newId("evt"), occurredAt: now, tenantId }, context);
}
