import type { Tx } from "../../../platform/db/db.js";
import type { EventContext } from "../../../platform/events/envelope.js";
import type { EnrollmentDeps } from "../enrollment-deps.js";
import { changeEnrollment } from "./change-enrollment.js";
import type { Enrollment, EnrollmentCommand, HoldReason } from "./enrollment.domain.js";
import { deleteExpiryDeadlines, loadByLicense, moveExpiryDeadlines } from "./enrollments.sql.js";

/**
 * What a subscription does to the enrollments its license backs: suspend (hold) and resume, renew
 * (extend), end. Each is keyed by the license, decided per enrollment by the aggregate, and
 * idempotent: a second call finds nothing left to change.
 */
export interface HoldByLicenseInput {
  licenseId: string;
  reason: HoldReason;
}

export interface ReleaseHoldByLicenseInput {
  licenseId: string;
}

export interface ExtendByLicenseInput {
  licenseId: string;
  /** The new end of access (the renewed period's end); never moves an end date earlier. */
  expiresAt: Date;
}

export interface EndByLicenseInput {
  licenseId: string;
  /** When the subscription ended: the expired enrollments' expiredAt. */
  at: Date;
}

export interface ByLicenseResult {
  /** Enrollments this call changed. */
  changed: string[];
  /** Enrollments already as asked, or not concerned (a perpetual one is not extended). */
  untouched: string[];
}

export interface EndByLicenseResult {
  downgraded: string[];
  expired: string[];
  /** Completed ones, and those already ended. A hold they carried is released all the same. */
  untouched: string[];
}

type Command = Exclude<EnrollmentCommand, { type: "Create" }>;

/** Loads (and locks) the license's enrollments and applies one command to each. */
async function applyToLicense(
  deps: EnrollmentDeps,
  tx: Tx,
  licenseId: string,
  commandFor: (e: Enrollment) => Command | Promise<Command>,
  context: EventContext,
): Promise<Array<{ before: Enrollment; after: Enrollment; changed: boolean }>> {
  const outcomes = [];
  for (const enrollment of await loadByLicense(tx, licenseId)) {
    const result = await changeEnrollment(deps, tx, enrollment, await commandFor(enrollment), context);
    // The commands below refuse nothing; a refusal would leave the enrollment as it was.
    const changed = result.ok && result.value.events.length > 0;
    outcomes.push({ before: enrollment, after: result.ok ? result.value.enrollment : enrollment, changed });
  }
  return outcomes;
}

const split = (outcomes: Array<{ before: Enrollment; changed: boolean }>): ByLicenseResult => ({
  changed: outcomes.filter((o) => o.changed).map((o) => o.before.id),
  untouched: outcomes.filter((o) => !o.changed).map((o) => o.before.id),
});

/** Suspends access: every enrollment of the license is held (statuses unchanged); enrollments created later start held. */
/**
 * A site licence's members who have not played yet are answered from its coverage, not from an
 * enrollment, so no user list says whose cached answers a hold, a release or an end changes: the
 * whole in-process cache goes after commit (these are rare, a subscription's suspension or end).
 */
function forgetCoverageAfterCommit(deps: EnrollmentDeps, tx: Tx): void {
  tx.afterCommit(() => deps.cache.invalidateAll());
}

export async function holdByLicense(
  deps: EnrollmentDeps,
  tx: Tx,
  input: HoldByLicenseInput,
  context: EventContext,
): Promise<ByLicenseResult> {
  const at = deps.kernel.clock.now();
  forgetCoverageAfterCommit(deps, tx);
  return split(await applyToLicense(deps, tx, input.licenseId, () => ({ type: "Hold", at, reason: input.reason }), context));
}

/** Resumes access: the hold goes from every enrollment of the license. */
export async function releaseHoldByLicense(
  deps: EnrollmentDeps,
  tx: Tx,
  input: ReleaseHoldByLicenseInput,
  context: EventContext,
): Promise<ByLicenseResult> {
  const at = deps.kernel.clock.now();
  forgetCoverageAfterCommit(deps, tx);
  return split(await applyToLicense(deps, tx, input.licenseId, () => ({ type: "ReleaseHold", at }), context));
}

/** A renewed period: the end date of the license's active (and completed) enrollments moves, and so do their deadlines. */
export async function extendByLicense(
  deps: EnrollmentDeps,
  tx: Tx,
  input: ExtendByLicenseInput,
  context: EventContext,
): Promise<ByLicenseResult> {
  const at = deps.kernel.clock.now();
  const outcomes = await applyToLicense(deps, tx, input.licenseId, () => ({ type: "Extend", at, expiresAt: input.expiresAt }), context);
  // A completed enrollment's deadline moves too: the timer leaves it completed, but its row would fire early for nothing.
  await moveExpiryDeadlines(
    tx,
    outcomes.filter((o) => o.changed).map((o) => o.after),
  );
  return split(outcomes);
}

/**
 * The subscription ended: completed enrollments keep their status; active ones fall back to audit
 * where the course offers it (catalog, through the auditAvailable port), else expire at `at`
 * (enrollment.expired.v1). Either way their expiry deadlines go.
 */
export async function endByLicense(
  deps: EnrollmentDeps,
  tx: Tx,
  input: EndByLicenseInput,
  context: EventContext,
): Promise<EndByLicenseResult> {
  forgetCoverageAfterCommit(deps, tx);
  const offersAudit = new Map<string, boolean>();
  const auditAvailable = async (courseId: string) => {
    if (!offersAudit.has(courseId)) offersAudit.set(courseId, await deps.ports.auditAvailable(courseId, tx));
    return offersAudit.get(courseId)!;
  };
  const outcomes = await applyToLicense(
    deps,
    tx,
    input.licenseId,
    async (e) => ({ type: "End", at: input.at, auditAvailable: e.status === "active" && (await auditAvailable(e.courseId)) }),
    context,
  );
  const ended = outcomes.filter((o) => o.before.status === "active" && o.changed);
  if (ended.length > 0)
    await deleteExpiryDeadlines(
      tx,
      ended.map((o) => o.before.id),
    );
  return {
    downgraded: ended.filter((o) => o.after.status === "active").map((o) => o.before.id),
    expired: ended.filter((o) => o.after.status === "expired").map((o) => o.before.id),
    untouched: outcomes.filter((o) => !ended.includes(o)).map((o) => o.before.id),
  };
}
