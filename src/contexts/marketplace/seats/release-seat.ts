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
import { seatContext, type SeatRules } from "./assign-seats.js";
import { releasesLeft, seatsLocked } from "../subscriptions/subscription.domain.js";
import { releasedSince, seatTermsOfLicense } from "../subscriptions/subscriptions.sql.js";
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
  rules: SeatRules,
): Promise<Result<ReleasedSeat>> {
  const now = kernel.clock.now();
  const license = await findLicense(tx, input.licenseId, true);
  if (!license || license.tenantId !== input.tenantId) return reject("LICENSE.NOT_FOUND", `no license ${input.licenseId}`);
  // A renewing pack: no release in the renewal lock window, and no more than the plan's cap per period (OeX license-manager).
  const renewing = license.kind === "seat_pack" ? await seatTermsOfLicense(tx, license.licenseId) : null;
  if (renewing && seatsLocked(renewing, now, rules.renewalLockMs))
    return reject(
      "SEATS.RENEWAL_LOCKED",
      `seat assignments stand still until the renewal of ${new Date(renewing.currentPeriodEnd).toISOString()} is paid`,
    );
  if (renewing && renewing.revocationCapPercent !== null) {
    const left = releasesLeft(
      renewing.revocationCapPercent,
      license.seatTotal ?? 0,
      await releasedSince(tx, license.licenseId, renewing.currentPeriodStart),
    );
    if (left === 0)
      return reject(
        "SEATS.REVOCATION_CAP_REACHED",
        `this plan releases at most ${renewing.revocationCapPercent}% of the pack's seats per period; the next period starts ${new Date(renewing.currentPeriodEnd).toISOString()}`,
      );
  }
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
