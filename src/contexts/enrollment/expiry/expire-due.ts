import { systemMetadata } from "../../../platform/events/envelope.js";
import type { EnrollmentDeps } from "../enrollment-deps.js";
import { changeEnrollment } from "../enrollments/change-enrollment.js";
import { claimDueExpiries, deleteExpiryDeadlines, loadEnrollments } from "../enrollments/enrollments.sql.js";

/**
 * One pass of the expiry timer: claims deadline rows that are due by the injected clock (SKIP LOCKED,
 * so processes share the work), expires what is still active, and deletes the rows — all in one
 * transaction, so enrollment.expired.v1 is emitted exactly once. Returns how many rows it claimed.
 */
export async function expireDue(deps: EnrollmentDeps, limit = 200): Promise<number> {
  const { kernel } = deps;
  return kernel.db.tx(async (tx) => {
    const now = kernel.clock.now();
    const due = await claimDueExpiries(tx, now, limit);
    if (due.length === 0) return 0;
    for (const enrollment of await loadEnrollments(tx, due)) {
      // Completed, revoked or already expired ones decide "nothing to do"; their deadline just goes.
      await changeEnrollment(
        deps,
        tx,
        enrollment,
        { type: "Expire", at: now },
        { correlationId: enrollment.id, metadata: systemMetadata("enrollment.expiry") },
      );
    }
    await deleteExpiryDeadlines(tx, due);
    return due.length;
  });
}
