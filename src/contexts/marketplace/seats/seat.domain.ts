/**
 * Seats of a seat-pack license (issue 5): an org admin of the buying tenant hands them to learners.
 * Pure rules only; the counter and the one-active-seat rule are enforced again by the database.
 */
import { ok, type Result } from "../../../platform/result.js";
import { reject } from "../errors.js";
import type { LicenseKind, LicenseState } from "../licenses/license.domain.js";

export type SeatStatus = "assigned" | "already_assigned" | "no_seat";

export interface SeatResult {
  userId: string;
  status: SeatStatus;
  seatAssignmentId?: string;
  enrollmentId?: string;
}

/** The slice of a license the seat rules look at. */
export interface SeatLicense {
  kind: LicenseKind;
  state: LicenseState;
  seatTotal: number | null;
  seatsAssigned: number;
  validFrom: Date;
  validUntil: Date | null;
}

/** Up to this many learners are assigned in the request; more become a job. */
export const SYNC_LIMIT = 1_000;
/** A job works off this many learners per transaction. */
export const CHUNK_SIZE = 1_000;
/** The most learners one request may name. */
export const MAX_USERS = 10_000;

/** Only an active, unexpired seat pack hands out seats (an expired license refuses new seats). */
export function acceptsSeats(license: SeatLicense, now: Date): Result<{ free: number }> {
  if (license.kind !== "seat_pack" || license.seatTotal === null)
    return reject("LICENSE.NOT_SEAT_PACK", `a ${license.kind} license has no seats to assign`);
  if (license.state !== "active") return reject("LICENSE.NOT_ACTIVE", `the license is ${license.state}`);
  if (license.validFrom.getTime() > now.getTime()) return reject("LICENSE.NOT_ACTIVE", "the license is not valid yet");
  if (license.validUntil !== null && license.validUntil.getTime() <= now.getTime())
    return reject("LICENSE.NOT_ACTIVE", "the license has expired");
  return ok({ free: Math.max(0, license.seatTotal - license.seatsAssigned) });
}

export interface SeatPlan {
  /** New seats, in request order, at most as many as are free. */
  assign: string[];
  already: string[];
  /** Learners past the last free seat. */
  noSeat: string[];
}

/**
 * Who gets a seat, decided under the license's row lock (the caller holds it): learners already
 * seated keep theirs, the others take free seats in request order, the rest get none. Refused with
 * SEATS.EXHAUSTED when someone needed a seat and none was left.
 */
export function planSeats(license: SeatLicense, now: Date, userIds: readonly string[], seated: ReadonlySet<string>): Result<SeatPlan> {
  const accepts = acceptsSeats(license, now);
  if (!accepts.ok) return accepts;
  const already = userIds.filter((u) => seated.has(u));
  const fresh = userIds.filter((u) => !seated.has(u));
  const assign = fresh.slice(0, accepts.value.free);
  if (fresh.length > 0 && assign.length === 0) {
    const rejection = reject("SEATS.EXHAUSTED", `all ${license.seatTotal} seats of the license are assigned`, "userIds");
    return {
      ok: false,
      rejection: { ...rejection.rejection, extra: { seatTotal: license.seatTotal, seatsAssigned: license.seatsAssigned } },
    };
  }
  return ok({ assign, already, noSeat: fresh.slice(assign.length) });
}

/** The first id named twice, if any (ids must be unique within a request). */
export function firstDuplicate(userIds: readonly string[]): string | null {
  const seen = new Set<string>();
  for (const id of userIds) {
    if (seen.has(id)) return id;
    seen.add(id);
  }
  return null;
}

export interface JobProgress {
  total: number;
  done: number;
  failed: number;
}

/** A chunk's results counted into a job: learners holding a seat are done, the others failed. */
export function progressAfter(job: JobProgress, chunk: readonly SeatResult[]): JobProgress & { status: "running" | "completed" } {
  const done = job.done + chunk.filter((r) => r.status !== "no_seat").length;
  const failed = job.failed + chunk.filter((r) => r.status === "no_seat").length;
  return { total: job.total, done, failed, status: done + failed >= job.total ? "completed" : "running" };
}
