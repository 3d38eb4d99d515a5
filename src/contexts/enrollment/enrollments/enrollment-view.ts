import { Type } from "@sinclair/typebox";
import type { Enrollment } from "./enrollment.domain.js";

/** The HTTP representation of an enrollment (API.md "Enrollment"). */
const Instant = Type.String({ format: "date-time" });
export const EnrollmentView = Type.Object(
  {
    enrollmentId: Type.String(),
    tenantId: Type.String(),
    userId: Type.String(),
    courseId: Type.String(),
    courseVersionId: Type.String(),
    runKey: Type.Optional(Type.String()),
    status: Type.Union([Type.Literal("active"), Type.Literal("completed"), Type.Literal("expired"), Type.Literal("revoked")]),
    mode: Type.Union([Type.Literal("verified"), Type.Literal("audit")]),
    source: Type.Object(
      {
        kind: Type.Union([
          Type.Literal("license"),
          Type.Literal("seat"),
          Type.Literal("site_license"),
          Type.Literal("default_enrollment"),
          Type.Literal("assignment"),
        ]),
        ref: Type.String({ description: "the license, seat assignment, site license, intention or assignment that entitles the learner" }),
      },
      { additionalProperties: false },
    ),
    licenseId: Type.Optional(Type.String()),
    orderId: Type.Optional(Type.String()),
    enrolledAt: Instant,
    expiresAt: Type.Optional(Instant),
    offline: Type.Boolean(),
    offlineUntil: Type.Optional(Instant),
    attemptCount: Type.Integer(),
    completedAt: Type.Optional(Instant),
    completionRecordId: Type.Optional(Type.String()),
    expiredAt: Type.Optional(Instant),
    revokedAt: Type.Optional(Instant),
    revokeReason: Type.Optional(Type.String()),
    /** The learner left of their own accord (default enrollments must not re-enroll them, seed 003). */
    unenrolled: Type.Boolean(),
    unenrolledAt: Type.Optional(Instant),
  },
  { additionalProperties: false },
);

const opt = <K extends string, V>(key: K, value: V | null) => (value === null ? {} : ({ [key]: value } as Record<K, V>));
const time = (value: Date | null) => (value ? value.toISOString() : null);

export function viewOf(e: Enrollment) {
  return {
    enrollmentId: e.id,
    tenantId: e.tenantId,
    userId: e.userId,
    courseId: e.courseId,
    courseVersionId: e.courseVersionId,
    ...opt("runKey", e.runKey),
    status: e.status,
    mode: e.mode,
    source: e.source,
    ...opt("licenseId", e.licenseId),
    ...opt("orderId", e.orderId),
    enrolledAt: e.enrolledAt.toISOString(),
    ...opt("expiresAt", time(e.expiresAt)),
    offline: e.offline,
    ...opt("offlineUntil", time(e.offlineUntil)),
    attemptCount: e.attemptCount,
    ...opt("completedAt", time(e.completedAt)),
    ...opt("completionRecordId", e.completionRecordId),
    ...opt("expiredAt", time(e.expiredAt)),
    ...opt("revokedAt", time(e.revokedAt)),
    ...opt("revokeReason", e.revokeReason),
    unenrolled: e.unenrolledAt !== null,
    ...opt("unenrolledAt", time(e.unenrolledAt)),
  };
}
