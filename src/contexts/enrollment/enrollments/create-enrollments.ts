import type { Tx } from "../../../platform/db/db.js";
import type { EventContext } from "../../../platform/events/envelope.js";
import { mintedIn, newId } from "../../../platform/ids.js";
import { RejectionError } from "../../../platform/result.js";
import { invalidateAfterCommit, type EnrollmentDeps } from "../enrollment-deps.js";
import { decide, type Enrollment, type EnrollmentMode, type EnrollmentSource } from "./enrollment.domain.js";
import { toEnvelopes } from "./enrollment-events.js";
import { findByKeys, insertEnrollments, keyOf, sendExpiryDeadlines, sendNewEnrollments } from "./enrollments.sql.js";

export interface EnrollInput {
  tenantId: string;
  userId: string;
  courseId: string;
  courseVersionId: string;
  runKey?: string;
  source: EnrollmentSource;
  licenseId?: string;
  orderId?: string;
  /** Default "verified". */
  mode?: EnrollmentMode;
  expiresAt?: Date;
  /** Offline play allowed until then; "perpetual" for as long as the enrollment lasts. */
  offlineUntil?: Date | "perpetual";
}

export interface EnrollResult {
  enrollmentId: string;
  created: boolean;
}

function newEnrollment(input: EnrollInput, id: string, now: Date): Enrollment {
  return {
    id,
    tenantId: input.tenantId,
    userId: input.userId,
    courseId: input.courseId,
    courseVersionId: input.courseVersionId,
    runKey: input.runKey ?? null,
    source: { kind: input.source.kind, ref: input.source.ref },
    licenseId: input.licenseId ?? null,
    orderId: input.orderId ?? null,
    status: "active",
    mode: input.mode ?? "verified",
    enrolledAt: now,
    expiresAt: input.expiresAt ?? null,
    offline: input.offlineUntil !== undefined,
    offlineUntil: input.offlineUntil instanceof Date ? input.offlineUntil : null,
    attemptCount: 0,
    completedAt: null,
    completionRecordId: null,
    expiredAt: null,
    revokedAt: null,
    revokeReason: null,
    unenrolledAt: null,
    erasedAt: null,
    // The row may still start held: the insert copies a held license's mark (enrollments.sql.ts).
    holdReason: null,
  };
}

/**
 * Creates enrollments set-based: one INSERT … ON CONFLICT DO NOTHING RETURNING, one deadline insert,
 * one multi-row outbox append. A key that already exists (seed 000 §5) answers with the existing id
 * and `created: false`, and emits nothing. Results are in input order.
 */
export async function createEnrollments(
  deps: EnrollmentDeps,
  tx: Tx,
  inputs: readonly EnrollInput[],
  context: EventContext,
): Promise<{ results: EnrollResult[]; created: Enrollment[] }> {
  const now = deps.kernel.clock.now();
  const candidates = inputs.map((input) => {
    const enrollment = newEnrollment(input, newId("enr"), now);
    const decision = decide(null, { type: "Create", enrollment });
    if (!decision.ok) throw new RejectionError(decision.rejection);
    return enrollment;
  });
  // Every source was minted in this transaction (a licence granted in it), so no enrollment can hold
  // its key: the rows are sent without waiting, and a duplicate would fail the transaction.
  if (inputs.every((input) => mintedIn(tx, input.source.ref))) {
    sendNewEnrollments(tx, candidates, now);
    return announce(
      deps,
      tx,
      candidates,
      now,
      context,
      candidates.map((e) => ({ enrollmentId: e.id, created: true })),
    );
  }
  const created = await insertEnrollments(tx, candidates, now);
  const createdByKey = new Map(created.map((e) => [keyOf(e.tenantId, e.userId, e.courseId, e.source.ref), e]));
  const missing = candidates.filter((e) => createdByKey.get(keyOf(e.tenantId, e.userId, e.courseId, e.source.ref))?.id !== e.id);
  const existing = await findByKeys(
    tx,
    missing.map((e) => ({ tenantId: e.tenantId, userId: e.userId, courseId: e.courseId, sourceRef: e.source.ref })),
  );
  const results = candidates.map((e): EnrollResult => {
    const key = keyOf(e.tenantId, e.userId, e.courseId, e.source.ref);
    if (createdByKey.get(key)?.id === e.id) return { enrollmentId: e.id, created: true };
    const id = createdByKey.get(key)?.id ?? existing.get(key);
    if (!id) throw new Error(`enrollment for ${key} neither created nor found (hidden by row-level security?)`);
    return { enrollmentId: id, created: false };
  });
  return announce(deps, tx, created, now, context, results);
}

/** What follows a create: expiry deadlines, enrollment.created.v1, the entitlement cache. */
async function announce(
  deps: EnrollmentDeps,
  tx: Tx,
  created: Enrollment[],
  now: Date,
  context: EventContext,
  results: EnrollResult[],
): Promise<{ results: EnrollResult[]; created: Enrollment[] }> {
  sendExpiryDeadlines(tx, created);
  await deps.kernel.outbox.append(
    tx,
    created.flatMap((e) => toEnvelopes(e, [{ type: "EnrollmentCreated", enrollment: e }], now, context)),
  );
  invalidateAfterCommit(
    deps,
    tx,
    created.map((e) => e.userId),
  );
  return { results, created };
}
