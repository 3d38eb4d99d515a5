import type { Counter } from "prom-client";
import { DefaultEnrollmentRealized, DefaultEnrollmentSkipped } from "../../../contracts/default-enrollments.js";
import type { Tx } from "../../../platform/db/db.js";
import type { EventContext } from "../../../platform/events/envelope.js";
import { envelope } from "../../../platform/events/registry.js";
import { newId } from "../../../platform/ids.js";
import type { EnrollmentApi, EnrollInput } from "../enrollment-api.js";
import type { EnrollmentDeps } from "../enrollment-deps.js";
import { evaluate, type Evaluation, type Intention, type Realization, type Run, type SkipReason } from "./default-enrollment.domain.js";
import { enrollmentFacts, insertRealizations, intentionsOf, realizationsOf } from "./default-enrollments.sql.js";

/** What the default-enrollment use cases are built with (one per kernel). */
export interface DefaultEnrollmentDeps extends EnrollmentDeps {
  api: EnrollmentApi;
  skipped: Counter;
}

export interface IntentionOutcome {
  intention: Intention;
  evaluation: Evaluation;
  realization: Realization | null;
}

/**
 * Gathers, for one learner of one enterprise, every fact the pure evaluation needs: the intentions,
 * the catalog runs (through the catalog port, at this moment), the applicable subsidy (through the
 * subsidy port), the realizations and enrollments the learner already has.
 */
export async function evaluateLearner(
  deps: EnrollmentDeps,
  tx: Tx,
  tenantId: string,
  userId: string,
  intentions: readonly Intention[],
): Promise<IntentionOutcome[]> {
  if (intentions.length === 0) return [];
  const courseIds = [...new Set(intentions.map((i) => i.courseId))];
  const [runs, coverage, realizations, enrollments] = [
    await deps.ports.catalog.runsOf(tx, courseIds),
    await deps.ports.subsidies.applicableSubsidy(tx, tenantId, userId, courseIds),
    await realizationsOf(tx, tenantId, userId),
    await enrollmentFacts(tx, tenantId, userId, courseIds),
  ];
  const realizationOf = new Map(realizations.map((r) => [r.intentionId, r]));
  return intentions.map((intention) => {
    const cover = coverage.get(intention.courseId);
    const realization = realizationOf.get(intention.intentionId) ?? null;
    const evaluation = evaluate({
      intention,
      runs: (runs.get(intention.courseId) ?? []) as Run[],
      inCatalog: cover?.inCatalog ?? false,
      subsidy: cover?.subsidy ?? null,
      realization,
      enrollments,
    });
    return { intention, evaluation, realization };
  });
}

export interface RealizeResult {
  realized: Realization[];
  skipped: Array<{ intentionId: string; reason: SkipReason }>;
  outcomes: IntentionOutcome[];
}

/**
 * Realizes the learner's applicable intentions in the caller's transaction: enrollments through the
 * enrollment API (idempotent on (tenant, user, course, intentionId)), one realization row each
 * (UNIQUE (intention_id, user_id): a redelivered or concurrent join realizes once), and the events.
 * Skips are observable: a metric, the learner status, and enterprise.default_enrollment.skipped.v1.
 */
export async function realizeForLearner(
  deps: DefaultEnrollmentDeps,
  tx: Tx,
  tenantId: string,
  userId: string,
  context: EventContext,
): Promise<RealizeResult> {
  const intentions = await intentionsOf(tx, tenantId, false);
  const outcomes = await evaluateLearner(deps, tx, tenantId, userId, intentions);
  const now = deps.kernel.clock.now();
  const todo = outcomes.flatMap((o) =>
    o.evaluation.status === "needs_enrollment.enrollable"
      ? [{ intention: o.intention, run: o.evaluation.run, subsidy: o.evaluation.subsidy }]
      : [],
  );
  const inputs = todo.map((t): EnrollInput => ({
    tenantId,
    userId,
    courseId: t.intention.courseId,
    courseVersionId: t.run.courseVersionId,
    runKey: t.run.runKey,
    source: { kind: "default_enrollment", ref: t.intention.intentionId },
    // A license-backed realization is found by license revocation (downgrade to audit, seed 003).
    ...(t.subsidy.licenseId ? { licenseId: t.subsidy.licenseId } : {}),
  }));
  const enrolled = await deps.api.enrollMany(tx, inputs, context);
  const realized = await insertRealizations(
    tx,
    todo.map((t, i) => ({
      realizationId: newId("der"),
      intentionId: t.intention.intentionId,
      tenantId,
      userId,
      runKey: t.run.runKey,
      courseVersionId: t.run.courseVersionId,
      enrollmentId: enrolled[i]!.enrollmentId,
      subsidy: { kind: t.subsidy.kind, ref: t.subsidy.ref },
      realizedAt: now,
    })),
  );
  const keyOf = new Map(intentions.map((i) => [i.intentionId, i.contentKey]));
  const skipped = outcomes.flatMap((o) =>
    o.evaluation.status === "needs_enrollment.not_enrollable" && o.evaluation.reason
      ? [{ intentionId: o.intention.intentionId, reason: o.evaluation.reason }]
      : [],
  );
  const at = { occurredAt: now, tenantId };
  await deps.kernel.outbox.append(tx, [
    ...realized.map((r) =>
      envelope(
        DefaultEnrollmentRealized,
        {
          intentionId: r.intentionId,
          tenantId,
          userId,
          contentKey: keyOf.get(r.intentionId)!,
          runKey: r.runKey,
          enrollmentId: r.enrollmentId,
          subsidy: r.subsidy,
        },
        { eventId: newId("evt"), ...at },
        context,
      ),
    ),
    ...skipped.map((s) =>
      envelope(
        DefaultEnrollmentSkipped,
        { intentionId: s.intentionId, tenantId, userId, contentKey: keyOf.get(s.intentionId)!, reason: s.reason },
        { eventId: newId("evt"), ...at },
        context,
      ),
    ),
  ]);
  if (skipped.length > 0) tx.afterCommit(() => skipped.forEach((s) => deps.skipped.inc({ reason: s.reason })));
  return { realized, skipped, outcomes };
}
