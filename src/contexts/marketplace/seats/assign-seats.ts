import { LicenseAssigned } from "../../../contracts/marketplace-orders.js";
import type { Tx } from "../../../platform/db/db.js";
import type { EventContext } from "../../../platform/events/envelope.js";
import { envelope } from "../../../platform/events/registry.js";
import { newId } from "../../../platform/ids.js";
import type { Kernel } from "../../../platform/kernel.js";
import { ok, type Result } from "../../../platform/result.js";
import { reject } from "../errors.js";
import { findLicense, type LicenseRow } from "../licenses/licenses.sql.js";
import type { EnrollmentsPort } from "../ports.js";
import { planSeats, type SeatLicense, type SeatResult } from "./seat.domain.js";
import { activeSeatsOf, insertAssignments, takeSeats } from "./seats.sql.js";
import { seatsLocked } from "../subscriptions/subscription.domain.js";
import { seatTermsOfLicense } from "../subscriptions/subscriptions.sql.js";

export interface AssignSeatsInput {
  licenseId: string;
  /** The caller's tenant: a license of another tenant is not found (RLS hides it too). */
  tenantId: string;
  userIds: readonly string[];
  actorUserId: string;
  metadata?: EventContext["metadata"];
}

/** The seat rules a deployment sets (README "Configuration"). */
export interface SeatRules {
  /** A renewing seat pack's assignments stand still from this long before its period ends until it is renewed. */
  renewalLockMs: number;
}

export interface AssignSeatsOutcome {
  results: SeatResult[];
  assigned: number;
  seatsAssigned: number;
  seatTotal: number;
}

export const seatLicense = (l: LicenseRow): SeatLicense => ({
  kind: l.kind,
  state: l.state,
  seatTotal: l.seatTotal,
  seatsAssigned: l.seatsAssigned,
  validFrom: new Date(l.validFrom),
  validUntil: l.validUntil ? new Date(l.validUntil) : null,
});

/** Seat events belong to the order's flow (correlationId = orderId), caused by the admin. */
export const seatContext = (orderId: string, actorUserId: string, metadata?: EventContext["metadata"]): EventContext => ({
  correlationId: orderId,
  causationId: null,
  metadata: { ...metadata, actorId: actorUserId },
});

/**
 * Assigns seats set-based in the caller's transaction, whatever the number of learners. The license
 * row is locked first (assign and release both take it first, so they never deadlock) and who is
 * already seated is read under that lock, so the plan is exact; the counter then moves in one
 * conditional update, one outbox append carries every license.assigned.v1, one enroll call creates
 * every enrollment, and one insert writes the assignment rows with their enrollment ids.
 */
export async function assignSeats(
  kernel: Kernel,
  enrollments: EnrollmentsPort,
  tx: Tx,
  input: AssignSeatsInput,
  rules: SeatRules,
): Promise<Result<AssignSeatsOutcome>> {
  const now = kernel.clock.now();
  const license = await findLicense(tx, input.licenseId, true);
  if (!license || license.tenantId !== input.tenantId) return reject("LICENSE.NOT_FOUND", `no license ${input.licenseId}`);
  const renewing = license.kind === "seat_pack" ? await seatTermsOfLicense(tx, license.licenseId) : null;
  if (renewing && seatsLocked(renewing, now, rules.renewalLockMs))
    return reject(
      "SEATS.RENEWAL_LOCKED",
      `seat assignments stand still until the renewal of ${new Date(renewing.currentPeriodEnd).toISOString()} is paid`,
    );
  const seated = await activeSeatsOf(tx, license.licenseId, input.userIds);
  // A smaller pack asked for at the next renewal: no seat beyond it is handed out meanwhile, so the seats renewed are the seats charged for.
  const seatTotal = renewing?.nextSeats != null ? Math.min(license.seatTotal ?? 0, renewing.nextSeats) : license.seatTotal;
  const plan = planSeats({ ...seatLicense(license), seatTotal }, now, input.userIds, new Set(seated.keys()));
  if (!plan.ok) return plan;

  const planned = plan.value.assign.map((userId) => ({ seatAssignmentId: newId("ssa"), userId }));
  let counter = { seatsAssigned: license.seatsAssigned, seatTotal: license.seatTotal! };
  const mine = new Map<string, { seatAssignmentId: string; enrollmentId: string }>();
  if (planned.length > 0) {
    const taken = await takeSeats(tx, license.licenseId, planned.length, now);
    // Under the row lock the plan never asks for more than is free; a refusal here is a bug (rolls back).
    if (!taken) throw new Error(`seat counter of ${license.licenseId} refused ${planned.length} seats`);
    counter = taken;
    const context = seatContext(license.orderId, input.actorUserId, input.metadata);
    await kernel.outbox.append(
      tx,
      planned.map((row) =>
        envelope(
          LicenseAssigned,
          { licenseId: license.licenseId, assigneeUserId: row.userId, seatAssignmentId: row.seatAssignmentId, orderId: license.orderId },
          { eventId: newId("evt"), occurredAt: now, tenantId: license.tenantId },
          context,
        ),
      ),
    );
    const enrolled = await enrollments.enroll(
      tx,
      planned.map((row) => ({
        tenantId: license.tenantId,
        userId: row.userId,
        courseId: license.courseId,
        courseVersionId: license.courseVersionId,
        licenseId: license.licenseId,
        orderId: license.orderId,
        sourceKind: "seat" as const,
        sourceRef: row.seatAssignmentId,
        // A renewing pack's seats carry no end date: its subscription ends them.
        ...(license.validUntil && !renewing ? { expiresAt: new Date(license.validUntil) } : {}),
        ...(license.perpetualOffline ? { offlineUntil: "perpetual" as const } : {}),
      })),
      context,
    );
    const rows = planned.map((row, i) => ({ ...row, enrollmentId: enrolled[i]!.enrollmentId }));
    const inserted = await insertAssignments(tx, license, rows, now);
    // The partial unique index is the database's own guard; under the lock it never fires, and if
    // it did, failing the whole transaction is the honest answer (nothing half-assigned survives).
    if (inserted.length !== rows.length)
      throw new Error(`${rows.length - inserted.length} learners were seated on ${license.licenseId} outside its lock`);
    for (const row of rows) mine.set(row.userId, { seatAssignmentId: row.seatAssignmentId, enrollmentId: row.enrollmentId });
  }

  const results = input.userIds.map((userId): SeatResult => {
    const assigned = mine.get(userId);
    if (assigned) return { userId, status: "assigned", ...assigned };
    const held = seated.get(userId);
    if (held)
      return {
        userId,
        status: "already_assigned",
        seatAssignmentId: held.seatAssignmentId,
        ...(held.enrollmentId ? { enrollmentId: held.enrollmentId } : {}),
      };
    return { userId, status: "no_seat" };
  });
  return ok({ results, assigned: mine.size, ...counter });
}
