import { Type } from "@sinclair/typebox";
import { defineEvent } from "../platform/events/registry.js";

/**
 * Wire types of default enterprise enrollments (seed 003, EVENTS.md), published by the enrollment
 * context. Partitioned by userId like every other learner fact (seed 000 §7).
 */
const Id = Type.String({ minLength: 1, maxLength: 200 });
const closed = { additionalProperties: false } as const;

export const SUBSIDY_KINDS = ["site_license", "seat", "learner_credit"] as const;
export const SKIP_REASONS = ["unenrolled", "no_enrollable_run", "no_subsidy", "not_in_catalog"] as const;

export const DefaultEnrollmentRealized = defineEvent({
  type: "enterprise.default_enrollment.realized.v1",
  summary: "A tenant's default enrollment enrolled a member, paid by a subsidy.",
  source: "enrollment",
  aggregateType: "DefaultEnrollmentRealization",
  retentionClass: "operational",
  payload: Type.Object(
    {
      intentionId: Id,
      tenantId: Id,
      userId: Id,
      contentKey: Type.String({ minLength: 1, maxLength: 300 }),
      runKey: Type.String({ minLength: 1, maxLength: 300 }),
      enrollmentId: Id,
      subsidy: Type.Object({ kind: Type.Union(SUBSIDY_KINDS.map((k) => Type.Literal(k))), ref: Id }, closed),
    },
    closed,
  ),
  aggregateId: (p) => p.intentionId,
  partitionKey: (p) => p.userId,
  example: {
    intentionId: "dei_0194e9f0a1b2c3d4e5f6a7b8c9d0e1f2",
    tenantId: "ten_acme",
    userId: "usr_new_hire_7",
    contentKey: "crs_typescript_in_depth",
    runKey: "run_2026_q1",
    enrollmentId: "enr_0194f3b2c9f0a1b2c3d4e5f6a7b8c9d0",
    subsidy: { kind: "site_license", ref: "lcn_0194f3b2c8a17d3e5b60f1e2d3c4b5a6" },
  },
});

export const DefaultEnrollmentSkipped = defineEvent({
  type: "enterprise.default_enrollment.skipped.v1",
  summary: "A tenant's default enrollment did not enroll a member, and why.",
  source: "enrollment",
  aggregateType: "DefaultEnrollmentRealization",
  retentionClass: "operational",
  payload: Type.Object(
    {
      intentionId: Id,
      tenantId: Id,
      userId: Id,
      contentKey: Type.String({ minLength: 1, maxLength: 300 }),
      reason: Type.Union(SKIP_REASONS.map((r) => Type.Literal(r))),
    },
    closed,
  ),
  aggregateId: (p) => p.intentionId,
  partitionKey: (p) => p.userId,
  example: {
    intentionId: "dei_0194e9f0a1b2c3d4e5f6a7b8c9d0e1f2",
    tenantId: "ten_acme",
    userId: "usr_new_hire_7",
    contentKey: "crs_typescript_in_depth",
    reason: "no_subsidy",
  },
});

export const defaultEnrollmentEvents = [DefaultEnrollmentRealized, DefaultEnrollmentSkipped];
