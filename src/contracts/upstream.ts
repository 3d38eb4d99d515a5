import { Type } from "@sinclair/typebox";
import { defineEvent } from "../platform/events/registry.js";

/**
 * Wire types produced by services outside this engine (EVENTS.md "Consumed from outside"). They
 * arrive on the bus or through POST /api/v1/events/ingest and are validated like our own.
 */
const Id = Type.String({ minLength: 1, maxLength: 200 });
const Instant = Type.String({ format: "date-time" });
const open = { additionalProperties: true } as const;

export const CourseVersionPublished = defineEvent({
  type: "catalog.course_version.published.v1",
  summary: "The catalog published a course version: listings may sell it.",
  source: "catalog",
  aggregateType: "CourseVersion",
  retentionClass: "operational",
  upstream: true,
  payload: Type.Object({ courseId: Id, courseVersionId: Id }, open),
  aggregateId: (p) => p.courseVersionId,
  partitionKey: (p) => p.courseId,
  example: { courseId: "crs_typescript_in_depth", courseVersionId: "cv_typescript_in_depth_2026_1" },
});

export const PlayPackageBuilt = defineEvent({
  type: "content.play_package.built.v1",
  summary: "A course version's play package was built: its listing may go live.",
  source: "content",
  aggregateType: "CourseVersion",
  retentionClass: "operational",
  upstream: true,
  payload: Type.Object({ courseId: Id, courseVersionId: Id, packageId: Type.Optional(Id) }, open),
  aggregateId: (p) => p.courseVersionId,
  partitionKey: (p) => p.courseId,
  example: {
    courseId: "crs_typescript_in_depth",
    courseVersionId: "cv_typescript_in_depth_2026_1",
    packageId: "pkg_0194e8a0f1e2d3c4b5a6978877665544",
  },
});

export const ProviderKycVerified = defineEvent({
  type: "tenant.provider.kyc_verified.v1",
  summary: "A provider passed KYC: its listings may be approved.",
  source: "tenant",
  aggregateType: "Provider",
  retentionClass: "audit",
  upstream: true,
  payload: Type.Object({ providerId: Id }, open),
  aggregateId: (p) => p.providerId,
  partitionKey: (p) => p.providerId,
  example: { providerId: "prv_northwind_academy" },
});

export const CompletionRecorded = defineEvent({
  type: "progress.completion.recorded.v1",
  summary: "A learner's completion of a course was recorded.",
  source: "progress",
  aggregateType: "CompletionRecord",
  retentionClass: "operational",
  upstream: true,
  payload: Type.Object({ userId: Id, courseId: Id, completionRecordId: Id, completedAt: Instant, enrollmentId: Type.Optional(Id) }, open),
  aggregateId: (p) => p.completionRecordId,
  partitionKey: (p) => p.userId,
  example: {
    userId: "usr_buyer_42",
    courseId: "crs_typescript_in_depth",
    completionRecordId: "cmp_0194f9a0b1c2d3e4f5a6b7c8d9e0f1a2",
    completedAt: "2026-04-10T16:20:00.000Z",
    enrollmentId: "enr_0194f3b2c9f0a1b2c3d4e5f6a7b8c9d0",
  },
});

export const PlaySessionStarted = defineEvent({
  type: "delivery.play_session.started.v1",
  summary: "A learner started a play session of a course.",
  source: "delivery",
  aggregateType: "PlaySession",
  retentionClass: "operational",
  upstream: true,
  payload: Type.Object({ userId: Id, courseId: Id, sessionId: Id, startedAt: Instant }, open),
  aggregateId: (p) => p.sessionId,
  partitionKey: (p) => p.userId,
  example: {
    userId: "usr_buyer_42",
    courseId: "crs_typescript_in_depth",
    sessionId: "pls_0194f3d0a1b2c3d4e5f6a7b8c9d0e1f2",
    startedAt: "2026-03-02T18:05:00.000Z",
  },
});

export const AssignmentWindowOpened = defineEvent({
  type: "assignment.window.opened.v1",
  summary: "An assignment window opened for a learner and a course.",
  source: "assignment",
  aggregateType: "Assignment",
  retentionClass: "operational",
  upstream: true,
  payload: Type.Object({ userId: Id, courseId: Id, assignmentId: Id, opensAt: Instant, closesAt: Type.Optional(Instant) }, open),
  aggregateId: (p) => p.assignmentId,
  partitionKey: (p) => p.userId,
  example: {
    userId: "usr_new_hire_7",
    courseId: "crs_typescript_in_depth",
    assignmentId: "asg_onboarding_2026",
    opensAt: "2026-03-02T00:00:00.000Z",
    closesAt: "2026-03-31T23:59:59.000Z",
  },
});

export const GdprSubjectRequestReceived = defineEvent({
  type: "gdpr.subject_request.received.v1",
  summary: "A GDPR data subject request was received (erasure, access, …).",
  source: "gdpr",
  aggregateType: "SubjectRequest",
  retentionClass: "audit",
  upstream: true,
  payload: Type.Object({ subjectUserId: Id, requestId: Id, kind: Type.String({ minLength: 1 }) }, open),
  aggregateId: (p) => p.requestId,
  partitionKey: (p) => p.subjectUserId,
  example: { subjectUserId: "usr_buyer_42", requestId: "gdpr_0194fa00a1b2c3d4e5f6a7b8c9d0e1f2", kind: "erasure" },
});

export const upstreamEvents = [
  CourseVersionPublished,
  PlayPackageBuilt,
  ProviderKycVerified,
  CompletionRecorded,
  PlaySessionStarted,
  AssignmentWindowOpened,
  GdprSubjectRequestReceived,
];
