import { Type } from "@sinclair/typebox";
import type { Tx } from "../../../platform/db/db.js";
import type { EnrollmentDeps } from "../enrollment-deps.js";
import type { Evaluation } from "./default-enrollment.domain.js";
import { intentionsOf } from "./default-enrollments.sql.js";
import { evaluateLearner, type IntentionOutcome } from "./realize-default-enrollments.js";

const RunRef = Type.Object({ runKey: Type.String(), courseVersionId: Type.String() });
export const LearnerIntentionView = Type.Object({
  intentionId: Type.String(),
  contentKey: Type.String(),
  contentType: Type.Union([Type.Literal("course"), Type.Literal("course_run")]),
  status: Type.Union([
    Type.Literal("already_enrolled"),
    Type.Literal("needs_enrollment.enrollable"),
    Type.Literal("needs_enrollment.not_enrollable"),
  ]),
  reason: Type.Optional(
    Type.Union([Type.Literal("unenrolled"), Type.Literal("no_enrollable_run"), Type.Literal("no_subsidy"), Type.Literal("not_in_catalog")]),
  ),
  run: Type.Union([RunRef, Type.Null()]),
  realization: Type.Union([
    Type.Object({
      realizationId: Type.String(),
      runKey: Type.String(),
      courseVersionId: Type.String(),
      enrollmentId: Type.String(),
      subsidy: Type.Object({ kind: Type.String(), ref: Type.String() }),
      realizedAt: Type.String({ format: "date-time" }),
    }),
    Type.Null(),
  ]),
  enrollment: Type.Union([
    Type.Object({ enrollmentId: Type.String(), status: Type.String(), mode: Type.String(), unenrolled: Type.Boolean() }),
    Type.Null(),
  ]),
});

export const LearnerStatusView = Type.Object({ tenantId: Type.String(), userId: Type.String(), items: Type.Array(LearnerIntentionView) });

function runOf(e: Evaluation) {
  if (e.status === "needs_enrollment.enrollable") return { runKey: e.run.runKey, courseVersionId: e.run.courseVersionId };
  return e.run;
}

export function viewOfOutcome({ intention, evaluation, realization }: IntentionOutcome) {
  const enrollment = evaluation.status === "needs_enrollment.enrollable" ? null : evaluation.enrollment;
  return {
    intentionId: intention.intentionId,
    contentKey: intention.contentKey,
    contentType: intention.contentType,
    status: evaluation.status,
    ...(evaluation.status === "needs_enrollment.not_enrollable" && evaluation.reason ? { reason: evaluation.reason } : {}),
    run: runOf(evaluation),
    realization: realization
      ? {
          realizationId: realization.realizationId,
          runKey: realization.runKey,
          courseVersionId: realization.courseVersionId,
          enrollmentId: realization.enrollmentId,
          subsidy: realization.subsidy,
          realizedAt: realization.realizedAt.toISOString(),
        }
      : null,
    // After a license revocation the enrollment is still here, in audit mode (seed 003).
    enrollment: enrollment
      ? { enrollmentId: enrollment.enrollmentId, status: enrollment.status, mode: enrollment.mode, unenrolled: enrollment.unenrolled }
      : null,
  };
}

/** The learner's status per active intention of the enterprise (API.md "Enrollment"). */
export async function learnerStatus(deps: EnrollmentDeps, tx: Tx, tenantId: string, userId: string) {
  const outcomes = await evaluateLearner(deps, tx, tenantId, userId, await intentionsOf(tx, tenantId, false));
  return { tenantId, userId, items: outcomes.map(viewOfOutcome) };
}
