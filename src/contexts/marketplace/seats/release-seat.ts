import { LicenseReleased } from "../../../contracts/marketplace-orders.js";
import type { Tx } from "../../../platform/db/db.js";
import type { EventContext } from "../../../platform/events/envelope.js";
import { envelope } from "../../../platform/events/registry.js";
import { newId } from "../../../platform/ids.js";
import type { Kernel } from "../../../platform/kernel.js";
import { ok, type Result } from "../../../platform/result.js";
import { reject } from "../errors.js";
import { findLicense } from "../licenses/licenses.sql.js";
import type { EnrollmentsPort } from "../ports.js";
import { seatContext } from "./assign-seats.js";
import { findAssignment, giveBackSeat, markReleased } from "./seats.sql.js";

export interface ReleaseSeatInput {
  licenseId: string;
  seatAssignmentId: string;
  tenantId: string;
  actorUserId: string;
  metadata?: EventContext["metadata"];
}

export interface ReleasedSeat {
  seatAssignmentId: string;
  userId: string;
  status: "released";
  seatsAssigned: number;
  seatTotal: number;
}

/**
 * A seat goes back to the pack: the license row is locked first (the same order as assignment),
 * the assignment moves active → released once, the counter comes down by one in a conditional
 * update, the learner's seat enrollment is revoked, and marketplace.license.released.v1 leaves.
 */
export async function releaseSeat(
  kernel: Kernel,
  enrollments: EnrollmentsPort,
  tx: Tx,
  input: ReleaseSeatInput,
): Promise<Result<ReleasedSeat>> {
  const now = kernel.clock.now();
  const license = await findLicense(tx, input.licenseId, true);
  if (!license || license.tenantId !== input.tenantId) return reject("LICENSE.NOT_FOUND", `no license ${input.licenseId}`);
  const released = await markReleased(tx, license.licenseId, input.seatAssignmentId, now);
  if (!released) {
    const known = await findAssignment(tx, license.licenseId, input.seatAssignmentId);
    return known
      ? reject("SEAT.ALREADY_RELEASED", "this seat was released before", "seatAssignmentId")
      : reject("SEAT.NOT_FOUND", `no seat ${input.seatAssignmentId} on this license`, "seatAssignmentId");
  }
  const counter = await giveBackSeat(tx, license.licenseId, now);
  if (!counter) throw new Error(`seat counter of ${license.licenseId} is already zero with an active seat`);
  const context = seatContext(license.orderId, input.actorUserId, input.metadata);
  await kernel.outbox.append(tx, [
    envelope(
      LicenseReleased,
      {
        licenseId: license.licenseId,
        assigneeUserId: released.userId,
        seatAssignmentId: released.seatAssignmentId,
        orderId: license.orderId,
      },
      { eventId: newId("evt"), occurredAt: now, tenantId: license.tenantId },
      context,
    ),
  ]);
  if (released.enrollmentId) await enrollments.revokeOne(tx, released.enrollmentId, context);
  return ok({ seatAssignmentId: released.seatAssignmentId, userId: released.userId, status: "released", ...counter });
}
