import type { Tx } from "../../../platform/db/db.js";
import type { EventContext } from "../../../platform/events/envelope.js";
import { ok, type Result } from "../../../platform/result.js";
import { reject } from "../errors.js";
import type { EnrollmentDeps } from "../enrollment-deps.js";
import type { AuditAvailability } from "../ports.js";
import { changeEnrollment } from "./change-enrollment.js";
import type { EnrollmentStatus, RevokeReason } from "./enrollment.domain.js";
import { revokedForOrder } from "./enrollment-events.js";
import { loadByLicense, loadEnrollment } from "./enrollments.sql.js";

export interface RevokeByLicenseInput {
  licenseId: string;
  /** Given on the refund path: with reason "license_revoked" the aggregate enrollment.revoked.v1 {orderId, revokedCount} is also emitted. */
  orderId?: string;
  reason: RevokeReason;
  /** seed 003: downgrade to audit where the course offers it, instead of revoking. */
  auditWhereAvailable: boolean;
  /** Overrides the module's catalog port for this call. */
  auditAvailable?: AuditAvailability;
}

export interface RevokeByLicenseResult {
  revoked: string[];
  downgraded: string[];
  /** Completed, expired, already revoked, or already audit: left as they were. */
  untouched: string[];
  revokedCount: number;
}

/**
 * Every enrollment a license backs loses its verified access: downgraded to audit where allowed and
 * available, revoked otherwise. Completed enrollments are untouched (the learner earned them).
 */
export async function revokeByLicense(
  deps: EnrollmentDeps,
  tx: Tx,
  input: RevokeByLicenseInput,
  context: EventContext,
): Promise<RevokeByLicenseResult> {
  const auditAvailable = input.auditAvailable ?? deps.ports.auditAvailable;
  const result: RevokeByLicenseResult = { revoked: [], downgraded: [], untouched: [], revokedCount: 0 };
  const enrollments = await loadByLicense(tx, input.licenseId);
  const offersAudit = new Map<string, boolean>();
  for (const enrollment of enrollments) {
    if (enrollment.status !== "active") {
      result.untouched.push(enrollment.id);
      continue;
    }
    let downgrade = false;
    if (input.auditWhereAvailable) {
      if (!offersAudit.has(enrollment.courseId)) offersAudit.set(enrollment.courseId, await auditAvailable(enrollment.courseId, tx));
      downgrade = offersAudit.get(enrollment.courseId)!;
    }
    const changed = await changeEnrollment(
      deps,
      tx,
      enrollment,
      downgrade
        ? { type: "DowngradeToAudit", at: deps.kernel.clock.now(), reason: input.reason }
        : { type: "Revoke", at: deps.kernel.clock.now(), reason: input.reason },
      context,
    );
    if (!changed.ok || changed.value.events.length === 0) result.untouched.push(enrollment.id);
    else if (downgrade) result.downgraded.push(enrollment.id);
    else result.revoked.push(enrollment.id);
  }
  result.revokedCount = result.revoked.length;
  if (input.orderId && input.reason === "license_revoked") {
    await deps.kernel.outbox.append(tx, [
      revokedForOrder(input.orderId, result.revokedCount, enrollments[0]?.tenantId ?? null, deps.kernel.clock.now(), context),
    ]);
  }
  return result;
}

export interface RevokeOneInput {
  enrollmentId: string;
  reason: RevokeReason;
}

/** One enrollment (a released seat). Refusals (NOT_FOUND, ALREADY_REVOKED, NOT_ACTIVE) come back as values. */
export async function revokeOne(
  deps: EnrollmentDeps,
  tx: Tx,
  input: RevokeOneInput,
  context: EventContext,
): Promise<Result<{ enrollmentId: string; status: EnrollmentStatus }>> {
  const enrollment = await loadEnrollment(tx, input.enrollmentId, true);
  if (!enrollment) return reject("ENROLLMENT.NOT_FOUND", "no such enrollment", "enrollmentId");
  const changed = await changeEnrollment(
    deps,
    tx,
    enrollment,
    { type: "Revoke", at: deps.kernel.clock.now(), reason: input.reason },
    context,
  );
  if (!changed.ok) return changed;
  return ok({ enrollmentId: enrollment.id, status: changed.value.enrollment.status });
}
