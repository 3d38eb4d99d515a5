import { Type } from "@sinclair/typebox";
import { Instant, Nullable } from "../../../platform/http/schemas.js";

/**
 * What the course routes answer, for the OpenAPI document. Fastify serializes by these schemas, so a
 * field missing here would be dropped from the answer: keep them in step with courseJson, versionJson
 * and runJson in courses.routes.ts.
 */

export const CourseView = Type.Object(
  {
    courseId: Type.String(),
    providerId: Type.String(),
    title: Type.String(),
    auditAvailable: Type.Boolean({ description: "whether learners may enroll in audit mode (free, no certificate)" }),
  },
  {
    additionalProperties: false,
    examples: [{ courseId: "crs_eds", providerId: "prv_author", title: "Event-driven systems", auditAvailable: true }],
  },
);

export const VersionView = Type.Object(
  {
    courseVersionId: Type.String(),
    courseId: Type.String(),
    label: Nullable(Type.String()),
    published: Type.Boolean({ description: "catalog.course_version.published.v1 was received" }),
    publishedAt: Nullable(Instant),
    playPackageBuilt: Type.Boolean({ description: "content.play_package.built.v1 was received" }),
    playPackageBuiltAt: Nullable(Instant),
    playPackageId: Nullable(Type.String()),
  },
  { additionalProperties: false },
);

export const RunView = Type.Object(
  {
    runId: Type.String(),
    runKey: Type.String(),
    courseId: Type.String(),
    courseVersionId: Type.String(),
    startsAt: Instant,
    endsAt: Nullable(Instant),
    enrollable: Type.Boolean(),
    advertised: Type.Boolean({ description: "the run a purchase enrolls into; at most one per course" }),
  },
  { additionalProperties: false },
);

export const CourseDetail = Type.Object(
  {
    ...CourseView.properties,
    versions: Type.Array(VersionView),
    runs: Type.Array(RunView),
  },
  { additionalProperties: false },
);
