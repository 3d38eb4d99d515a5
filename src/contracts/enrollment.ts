import { Type, type Static } from "@sinclair/typebox";
import { OneOf } from "../platform/events/one-of.js";
import { defineEvent } from "../platform/events/registry.js";

/**
 * Wire types the enrollment context publishes (EVENTS.md, seed 000 §2). Payloads are field for field
 * the seed's; every enrollment event is partitioned by userId (seed 000 §7), except the refund
 * aggregate of enrollment.revoked.v1, which belongs to an order and is partitioned by orderId.
 */
const Id = Type.String({ minLength: 1, maxLength: 200 });
const Instant = Type.String({ format: "date-time" });
const closed = { additionalProperties: false } as const;

export const SOURCE_KINDS = ["license", "seat", "site_license", "default_enrollment", "assignment"] as const;
export const REVOKE_REASONS = ["license_revoked", "admin", "compliance"] as const;

export const EnrollmentSourceSchema = Type.Object({ kind: Type.Union(SOURCE_KINDS.map((kind) => Type.Literal(kind))), ref: Id }, closed);

export const EnrollmentCreated = defineEvent({
  type: "enrollment.created.v1",
  summary: "A learner was enrolled in a course version.",
  source: "enrollment",
  aggregateType: "Enrollment",
  retentionClass: "operational",
  payload: Type.Object(
    {
      enrollmentId: Id,
      tenantId: Id,
      userId: Id,
      courseId: Id,
      courseVersionId: Id,
      source: EnrollmentSourceSchema,
      enrolledAt: Instant,
      expiresAt: Type.Optional(Instant),
      // seed 000 §2.1 EP-6 commerce subset: present when the enrollment comes from a purchase.
      licenseId: Type.Optional(Id),
      orderId: Type.Optional(Id),
    },
    closed,
  ),
  aggregateId: (p) => p.enrollmentId,
  partitionKey: (p) => p.userId,
  example: {
    enrollmentId: "enr_0194f3b2c9f0a1b2c3d4e5f6a7b8c9d0",
    tenantId: "ten_acme",
    userId: "usr_buyer_42",
    courseId: "crs_typescript_in_depth",
    courseVersionId: "cv_typescript_in_depth_2026_1",
    source: { kind: "license", ref: "lcn_0194f3b2c8a17d3e5b60f1e2d3c4b5a6" },
    enrolledAt: "2026-03-01T09:30:00.000Z",
    licenseId: "lcn_0194f3b2c8a17d3e5b60f1e2d3c4b5a6",
    orderId: "ord_0194f3b2c1d07a8e9f10a1b2c3d4e5f6",
  },
});

export const EnrollmentAccessed = defineEvent({
  type: "enrollment.accessed.v1",
  summary: "A learner opened an enrolled course (the first access of an attempt).",
  source: "enrollment",
  aggregateType: "Enrollment",
  retentionClass: "operational",
  payload: Type.Object(
    { enrollmentId: Id, tenantId: Id, userId: Id, accessedAt: Instant, attemptNumber: Type.Integer({ minimum: 1 }) },
    closed,
  ),
  aggregateId: (p) => p.enrollmentId,
  partitionKey: (p) => p.userId,
  example: {
    enrollmentId: "enr_0194f3b2c9f0a1b2c3d4e5f6a7b8c9d0",
    tenantId: "ten_acme",
    userId: "usr_buyer_42",
    accessedAt: "2026-03-02T18:05:00.000Z",
    attemptNumber: 1,
  },
});

export const EnrollmentCompleted = defineEvent({
  type: "enrollment.completed.v1",
  summary: "A learner completed an enrolled course.",
  source: "enrollment",
  aggregateType: "Enrollment",
  retentionClass: "operational",
  payload: Type.Object({ enrollmentId: Id, tenantId: Id, userId: Id, courseId: Id, completedAt: Instant, completionRecordId: Id }, closed),
  aggregateId: (p) => p.enrollmentId,
  partitionKey: (p) => p.userId,
  example: {
    enrollmentId: "enr_0194f3b2c9f0a1b2c3d4e5f6a7b8c9d0",
    tenantId: "ten_acme",
    userId: "usr_buyer_42",
    courseId: "crs_typescript_in_depth",
    completedAt: "2026-04-10T16:20:00.000Z",
    completionRecordId: "cmp_0194f9a0b1c2d3e4f5a6b7c8d9e0f1a2",
  },
});

export const EnrollmentExpired = defineEvent({
  type: "enrollment.expired.v1",
  summary: "An enrollment reached its end date.",
  source: "enrollment",
  aggregateType: "Enrollment",
  retentionClass: "operational",
  payload: Type.Object({ enrollmentId: Id, tenantId: Id, userId: Id, expiredAt: Instant }, closed),
  aggregateId: (p) => p.enrollmentId,
  partitionKey: (p) => p.userId,
  example: {
    enrollmentId: "enr_0194f3b2c9f0a1b2c3d4e5f6a7b8c9d0",
    tenantId: "ten_acme",
    userId: "usr_buyer_42",
    expiredAt: "2027-03-01T09:30:00.000Z",
  },
});

/** seed 000 §2.4: one enrollment revoked. */
export const EnrollmentRevokedOne = Type.Object(
  { enrollmentId: Id, tenantId: Id, userId: Id, reason: Type.Union(REVOKE_REASONS.map((r) => Type.Literal(r))), revokedAt: Instant },
  closed,
);
/** seed 000 §2.0 (EP-6): the refund saga's aggregate, one per order. */
export const EnrollmentRevokedForOrder = Type.Object({ orderId: Id, revokedCount: Type.Integer({ minimum: 0 }) }, closed);

export type EnrollmentRevokedOnePayload = Static<typeof EnrollmentRevokedOne>;
export type EnrollmentRevokedForOrderPayload = Static<typeof EnrollmentRevokedForOrder>;

/**
 * One wire type, two shapes, one schema (`oneOf`): seed 000 §2.4 (one enrollment, from an admin,
 * compliance or a revoked licence) and seed 000 §2.0 (the refund saga's aggregate). Both are closed
 * and neither shape's required fields fit the other, so exactly one branch matches any valid
 * payload; a consumer tells them apart by `enrollmentId` vs `orderId`.
 */
export const EnrollmentRevokedPayload = OneOf([EnrollmentRevokedOne, EnrollmentRevokedForOrder], {
  description: "seed 000 §2.4 (one enrollment) or seed 000 §2.0 (refund aggregate: orderId, revokedCount)",
});

export const EnrollmentRevoked = defineEvent({
  type: "enrollment.revoked.v1",
  summary: "Enrollments were revoked: one enrollment, or all of a refunded order's.",
  source: "enrollment",
  aggregateType: "Enrollment",
  retentionClass: "operational",
  payload: EnrollmentRevokedPayload,
  aggregateId: (p) => ("enrollmentId" in p ? p.enrollmentId : p.orderId),
  partitionKey: (p) => ("enrollmentId" in p ? p.userId : p.orderId),
  partitionKeyDescription: "payload.userId for one enrollment; payload.orderId for a refund's aggregate",
  example: {
    enrollmentId: "enr_0194f3b2c9f0a1b2c3d4e5f6a7b8c9d0",
    tenantId: "ten_acme",
    userId: "usr_buyer_42",
    reason: "license_revoked",
    revokedAt: "2026-03-05T11:00:00.000Z",
  },
});

/** seed 003: on license revocation a verified enrollment is downgraded to audit where the course offers it. */
export const EnrollmentModeChanged = defineEvent({
  type: "enrollment.mode_changed.v1",
  summary: "An enrollment changed mode (verified to audit when its licence was revoked).",
  source: "enrollment",
  aggregateType: "Enrollment",
  retentionClass: "operational",
  payload: Type.Object(
    {
      enrollmentId: Id,
      tenantId: Id,
      userId: Id,
      from: Type.Union([Type.Literal("verified"), Type.Literal("audit")]),
      to: Type.Union([Type.Literal("verified"), Type.Literal("audit")]),
      reason: Id,
    },
    closed,
  ),
  aggregateId: (p) => p.enrollmentId,
  partitionKey: (p) => p.userId,
  example: {
    enrollmentId: "enr_0194f3b2c9f0a1b2c3d4e5f6a7b8c9d0",
    tenantId: "ten_acme",
    userId: "usr_buyer_42",
    from: "verified",
    to: "audit",
    reason: "license_revoked",
  },
});

export const enrollmentEvents = [
  EnrollmentCreated,
  EnrollmentAccessed,
  EnrollmentCompleted,
  EnrollmentExpired,
  EnrollmentRevoked,
  EnrollmentModeChanged,
];
