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
  source: "catalog",
  aggregateType: "CourseVersion",
  retentionClass: "operational",
  upstream: true,
  payload: Type.Object({ courseId: Id, courseVersionId: Id }, open),
  aggregateId: (p) => p.courseVersionId,
  partitionKey: (p) => p.courseId,
});

export const PlayPackageBuilt = defineEvent({
  type: "content.play_package.built.v1",
  source: "content",
  aggregateType: "CourseVersion",
  retentionClass: "operational",
  upstream: true,
  payload: Type.Object({ courseId: Id, courseVersionId: Id, packageId: Type.Optional(Id) }, open),
  aggregateId: (p) => p.courseVersionId,
  partitionKey: (p) => p.courseId,
});

export const ProviderKycVerified = defineEvent({
  type: "tenant.provider.kyc_verified.v1",
  source: "tenant",
  aggregateType: "Provider",
  retentionClass: "audit",
  upstream: true,
  payload: Type.Object({ providerId: Id }, open),
  aggregateId: (p) => p.providerId,
  partitionKey: (p) => p.providerId,
});

export const CompletionRecorded = defineEvent({
  type: "progress.completion.recorded.v1",
  source: "progress",
  aggregateType: "CompletionRecord",
  retentionClass: "operational",
  upstream: true,
  payload: Type.Object({ userId: Id, courseId: Id, completionRecordId: Id, completedAt: Instant, enrollmentId: Type.Optional(Id) }, open),
  aggregateId: (p) => p.completionRecordId,
  partitionKey: (p) => p.userId,
});

export const PlaySessionStarted = defineEvent({
  type: "delivery.play_session.started.v1",
  source: "delivery",
  aggregateType: "PlaySession",
  retentionClass: "operational",
  upstream: true,
  payload: Type.Object({ userId: Id, courseId: Id, sessionId: Id, startedAt: Instant }, open),
  aggregateId: (p) => p.sessionId,
  partitionKey: (p) => p.userId,
});

export const AssignmentWindowOpened = defineEvent({
  type: "assignment.window.opened.v1",
  source: "assignment",
  aggregateType: "Assignment",
  retentionClass: "operational",
  upstream: true,
  payload: Type.Object({ userId: Id, courseId: Id, assignmentId: Id, opensAt: Instant, closesAt: Type.Optional(Instant) }, open),
  aggregateId: (p) => p.assignmentId,
  partitionKey: (p) => p.userId,
});

export const GdprSubjectRequestReceived = defineEvent({
  type: "gdpr.subject_request.received.v1",
  source: "gdpr",
  aggregateType: "SubjectRequest",
  retentionClass: "audit",
  upstream: true,
  payload: Type.Object({ subjectUserId: Id, requestId: Id, kind: Type.String({ minLength: 1 }) }, open),
  aggregateId: (p) => p.requestId,
  partitionKey: (p) => p.subjectUserId,
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
