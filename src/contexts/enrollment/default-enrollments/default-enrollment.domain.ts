import { ok, type Result } from "../../../platform/result.js";
import { reject } from "../errors.js";

/**
 * Default enterprise enrollments (seed 003): an enterprise's intention that its learners be enrolled
 * in a course (its currently advertised, enrollable run) or in one specific run, and the rules that
 * decide, per learner, whether an intention is realized, already satisfied, or skipped and why.
 * Pure: the catalog runs, the learner's subsidy and enrollments are gathered by the caller.
 */
export type ContentType = "course" | "course_run";
export type SkipReason = "unenrolled" | "no_enrollable_run" | "no_subsidy" | "not_in_catalog";
export type LearnerStatus = "already_enrolled" | "needs_enrollment.enrollable" | "needs_enrollment.not_enrollable";
export type SubsidyKind = "site_license" | "seat" | "learner_credit";

export interface Intention {
  intentionId: string;
  tenantId: string;
  contentKey: string;
  contentType: ContentType;
  courseId: string;
  createdAt: Date;
  removedAt: Date | null;
}

export interface Run {
  runKey: string;
  courseVersionId: string;
  advertised: boolean;
  enrollable: boolean;
  /** Enrollable and not over yet (catalog's isRunOpen). */
  open: boolean;
}

export interface SubsidyUsed {
  kind: SubsidyKind;
  ref: string;
  licenseId?: string;
}

export interface Realization {
  realizationId: string;
  intentionId: string;
  tenantId: string;
  userId: string;
  runKey: string;
  courseVersionId: string;
  enrollmentId: string;
  subsidy: { kind: SubsidyKind; ref: string };
  realizedAt: Date;
}

/** What the learner already has in the intention's course (in the enterprise tenant). */
export interface EnrollmentFact {
  enrollmentId: string;
  courseId: string;
  courseVersionId: string;
  runKey: string | null;
  status: "active" | "completed" | "expired" | "revoked";
  mode: "verified" | "audit";
  unenrolled: boolean;
}

// ---------------------------------------------------------------------------------------------
// Configuring intentions

/** Which intention rows exist for the key: the active one, and the last soft-deleted one. */
export interface KeyState {
  active: Intention | null;
  removed: Intention | null;
}

export type IntentionDecision = { type: "create" } | { type: "restore"; intention: Intention };

/**
 * One active intention per (enterprise, contentKey). A soft-deleted one is not silently re-created:
 * re-adding its key is refused unless the caller asks to restore it explicitly.
 */
export function decideAdd(state: KeyState, restore: boolean): Result<IntentionDecision> {
  if (state.active)
    return reject(
      "DEFAULT_ENROLLMENT.INTENTION_EXISTS",
      `an active intention ${state.active.intentionId} already has this content key`,
      "body/contentKey",
    );
  if (state.removed) {
    if (!restore)
      return reject(
        "DEFAULT_ENROLLMENT.INTENTION_REMOVED",
        `intention ${state.removed.intentionId} for this key was removed; send restore: true to bring it back`,
        "body/contentKey",
      );
    return ok({ type: "restore", intention: state.removed });
  }
  return ok({ type: "create" });
}

export function decideRemove(intention: Intention | null): Result<null> {
  if (!intention) return reject("DEFAULT_ENROLLMENT.INTENTION_NOT_FOUND", "no such intention");
  if (intention.removedAt) return reject("DEFAULT_ENROLLMENT.INTENTION_REMOVED", "the intention is already removed");
  return ok(null);
}

// ---------------------------------------------------------------------------------------------
// Run resolution

/**
 * seed 003: a course key means the course's currently advertised, enrollable (and open) run, looked
 * up at realization time; a run key always means that exact run, even when another is advertised.
 */
export function resolveRun(intention: Pick<Intention, "contentType" | "contentKey">, runs: readonly Run[]): Run | null {
  if (intention.contentType === "course_run") {
    const run = runs.find((r) => r.runKey === intention.contentKey);
    return run && run.enrollable && run.open ? run : null;
  }
  return runs.find((r) => r.advertised && r.enrollable && r.open) ?? null;
}

// ---------------------------------------------------------------------------------------------
// Per learner: realize, already enrolled, or skip

export interface LearnerFacts {
  intention: Intention;
  runs: readonly Run[];
  /** Do the enterprise's licenses (or the learner's credit) cover the course at all? */
  inCatalog: boolean;
  subsidy: SubsidyUsed | null;
  realization: Realization | null;
  /** The learner's enrollments in the intention's course within the enterprise. */
  enrollments: readonly EnrollmentFact[];
}

export type Evaluation =
  | { status: "already_enrolled"; enrollment: EnrollmentFact; run: { runKey: string; courseVersionId: string } | null }
  | { status: "needs_enrollment.enrollable"; run: Run; subsidy: SubsidyUsed }
  | {
      status: "needs_enrollment.not_enrollable";
      reason: SkipReason | null;
      enrollment: EnrollmentFact | null;
      run: { runKey: string; courseVersionId: string } | null;
    };

const live = (e: EnrollmentFact) => e.status === "active" || e.status === "completed";
const order = (e: EnrollmentFact) => (e.status === "active" ? (e.mode === "verified" ? 0 : 1) : e.status === "completed" ? 2 : 3);

/** The enrollments that answer for this intention: for a run key, only that run's (or run-less ones). */
function relevant(intention: Intention, enrollments: readonly EnrollmentFact[]): EnrollmentFact[] {
  return enrollments
    .filter(
      (e) =>
        e.courseId === intention.courseId && (intention.contentType === "course" || e.runKey === null || e.runKey === intention.contentKey),
    )
    .sort((a, b) => order(a) - order(b));
}

export function evaluate(facts: LearnerFacts): Evaluation {
  const { intention, realization } = facts;
  const realizedRun = realization ? { runKey: realization.runKey, courseVersionId: realization.courseVersionId } : null;
  const mine = relevant(intention, facts.enrollments);
  const realized = realization ? (facts.enrollments.find((e) => e.enrollmentId === realization.enrollmentId) ?? null) : null;
  // The realized enrollment answers first: after a license revocation it is still there, in audit mode.
  if (realized && live(realized)) return { status: "already_enrolled", enrollment: realized, run: realizedRun };
  const current = mine.find(live);
  if (current)
    return {
      status: "already_enrolled",
      enrollment: current,
      run: realizedRun ?? (current.runKey ? { runKey: current.runKey, courseVersionId: current.courseVersionId } : null),
    };
  // seed 003: a learner who chose to leave a default course is never enrolled again automatically.
  const left = realized?.unenrolled ? realized : mine.find((e) => e.unenrolled);
  if (left) return { status: "needs_enrollment.not_enrollable", reason: "unenrolled", enrollment: left, run: realizedRun };
  // Realized once (one realization per intention and learner), and that enrollment ended (revoked, expired).
  if (realization) return { status: "needs_enrollment.not_enrollable", reason: null, enrollment: realized, run: realizedRun };
  const run = resolveRun(intention, facts.runs);
  if (!facts.inCatalog && !facts.subsidy)
    return { status: "needs_enrollment.not_enrollable", reason: "not_in_catalog", enrollment: null, run: run && pick(run) };
  if (!facts.subsidy) return { status: "needs_enrollment.not_enrollable", reason: "no_subsidy", enrollment: null, run: run && pick(run) };
  if (!run) return { status: "needs_enrollment.not_enrollable", reason: "no_enrollable_run", enrollment: null, run: null };
  return { status: "needs_enrollment.enrollable", run, subsidy: facts.subsidy };
}

const pick = (run: Run) => ({ runKey: run.runKey, courseVersionId: run.courseVersionId });
