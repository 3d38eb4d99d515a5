import { ok, type Result } from "../../../platform/result.js";
import { reject } from "../errors.js";

/**
 * The Enrollment aggregate: a learner's right to take a course, and what became of it. Pure: ids,
 * times and pseudonyms are passed in; nothing here reads a clock or a database.
 */
export type EnrollmentStatus = "active" | "completed" | "expired" | "revoked";
export type EnrollmentMode = "verified" | "audit";
export type SourceKind = "license" | "seat" | "site_license" | "default_enrollment" | "assignment";
/** seed 000 §2.4. A learner leaving is stored as `admin` plus `unenrolledAt` (see Unenroll). */
export type RevokeReason = "license_revoked" | "admin" | "compliance";
/** Why a license's enrollments are held: access paused, the enrollment otherwise kept as it is. */
export type HoldReason = "subscription_suspended";

export interface EnrollmentSource {
  kind: SourceKind;
  /** The license, seat assignment, site license, intention or assignment that entitles the learner. */
  ref: string;
}

export interface Enrollment {
  id: string;
  tenantId: string;
  userId: string;
  courseId: string;
  courseVersionId: string;
  runKey: string | null;
  source: EnrollmentSource;
  licenseId: string | null;
  orderId: string | null;
  status: EnrollmentStatus;
  mode: EnrollmentMode;
  enrolledAt: Date;
  expiresAt: Date | null;
  /** May the learner play it offline, and until when (null = for as long as the enrollment lasts). */
  offline: boolean;
  offlineUntil: Date | null;
  attemptCount: number;
  completedAt: Date | null;
  completionRecordId: string | null;
  expiredAt: Date | null;
  revokedAt: Date | null;
  revokeReason: RevokeReason | null;
  /** Set when the learner themself left: default enrollments must not re-enroll them (seed 003). */
  unenrolledAt: Date | null;
  erasedAt: Date | null;
  /** Set while the license behind it is held (a suspended subscription): no access, nothing else changes. */
  holdReason: HoldReason | null;
}

export type EnrollmentCommand =
  | { type: "Create"; enrollment: Enrollment }
  | { type: "Access"; at: Date }
  | { type: "Complete"; at: Date; completionRecordId: string }
  | { type: "Expire"; at: Date }
  | { type: "Revoke"; at: Date; reason: RevokeReason }
  | { type: "DowngradeToAudit"; at: Date; reason: string }
  | { type: "Unenroll"; at: Date }
  | { type: "Erase"; at: Date; pseudonym: string }
  | { type: "Hold"; at: Date; reason: HoldReason }
  | { type: "ReleaseHold"; at: Date }
  | { type: "Extend"; at: Date; expiresAt: Date }
  | { type: "End"; at: Date; auditAvailable: boolean };

export type EnrollmentEvent =
  | { type: "EnrollmentCreated"; enrollment: Enrollment }
  | { type: "EnrollmentAccessed"; accessedAt: Date; attemptNumber: number }
  | { type: "EnrollmentCompleted"; completedAt: Date; completionRecordId: string }
  | { type: "EnrollmentExpired"; expiredAt: Date }
  | { type: "EnrollmentRevoked"; revokedAt: Date; reason: RevokeReason; byLearner: boolean }
  | { type: "EnrollmentModeChanged"; at: Date; from: EnrollmentMode; to: EnrollmentMode; reason: string }
  | { type: "EnrollmentErased"; at: Date; pseudonym: string }
  | { type: "EnrollmentHeld"; at: Date; reason: HoldReason }
  | { type: "EnrollmentHoldReleased"; at: Date }
  | { type: "EnrollmentExpiryMoved"; at: Date; from: Date | null; to: Date | null };

export type Decision = Result<EnrollmentEvent[]>;

const none: Decision = ok([]);

export function decide(state: Enrollment | null, cmd: EnrollmentCommand): Decision {
  if (cmd.type === "Create") {
    // seed 000 §5: creation is idempotent on (tenantId, userId, courseId, source.ref); a known one is no news.
    if (state) return none;
    const e = cmd.enrollment;
    if (e.expiresAt && e.expiresAt.getTime() <= e.enrolledAt.getTime())
      return reject("ENROLLMENT.EXPIRES_BEFORE_START", "expiresAt must be after enrolledAt", "expiresAt");
    return ok([{ type: "EnrollmentCreated", enrollment: e }]);
  }
  if (!state) return reject("ENROLLMENT.NOT_FOUND", "no such enrollment");
  switch (cmd.type) {
    case "Access":
      // A completed course stays playable (review); expired and revoked ones do not.
      if (state.status !== "active" && state.status !== "completed")
        return reject("ENROLLMENT.NOT_ACTIVE", `the enrollment is ${state.status}`);
      return ok([{ type: "EnrollmentAccessed", accessedAt: cmd.at, attemptNumber: state.attemptCount + 1 }]);
    case "Complete":
      if (state.status === "completed") return none; // a second completion record changes nothing
      if (state.status === "revoked") return reject("ENROLLMENT.ALREADY_REVOKED", "the enrollment was revoked");
      if (state.status !== "active") return reject("ENROLLMENT.NOT_ACTIVE", `the enrollment is ${state.status}`);
      return ok([{ type: "EnrollmentCompleted", completedAt: cmd.at, completionRecordId: cmd.completionRecordId }]);
    case "Expire":
      // Only an active enrollment whose time has come expires. A completed one keeps its status (it is a
      // record of achievement); its access still ends at expiresAt because entitlements check the time.
      if (state.status !== "active" || !state.expiresAt || state.expiresAt.getTime() > cmd.at.getTime()) return none;
      // The fact is "it expired at expiresAt", however late the timer ran.
      return ok([{ type: "EnrollmentExpired", expiredAt: state.expiresAt }]);
    case "Revoke":
      if (state.status === "revoked") return reject("ENROLLMENT.ALREADY_REVOKED", "the enrollment is already revoked");
      if (state.status !== "active") return reject("ENROLLMENT.NOT_ACTIVE", `the enrollment is ${state.status}`);
      return ok([{ type: "EnrollmentRevoked", revokedAt: cmd.at, reason: cmd.reason, byLearner: false }]);
    case "DowngradeToAudit":
      if (state.status !== "active") return reject("ENROLLMENT.NOT_ACTIVE", `the enrollment is ${state.status}`);
      if (state.mode === "audit") return none;
      return ok([{ type: "EnrollmentModeChanged", at: cmd.at, from: state.mode, to: "audit", reason: cmd.reason }]);
    case "Unenroll":
      if (state.status === "revoked") return reject("ENROLLMENT.ALREADY_REVOKED", "the enrollment is already revoked");
      if (state.status !== "active") return reject("ENROLLMENT.NOT_ACTIVE", `the enrollment is ${state.status}`);
      // The wire reason set is fixed by seed 000 §2.4; a learner's own exit travels as `admin` and is
      // told apart by `unenrolledAt` on the enrollment.
      return ok([{ type: "EnrollmentRevoked", revokedAt: cmd.at, reason: "admin", byLearner: true }]);
    case "Erase":
      if (state.erasedAt) return none;
      return ok([{ type: "EnrollmentErased", at: cmd.at, pseudonym: cmd.pseudonym }]);
    case "Hold":
      // Every enrollment of the license is marked, whatever its status: the mark is how a later
      // enrollment of the same license learns that it starts held (enrollments.sql.ts).
      if (state.holdReason === cmd.reason) return none;
      return ok([{ type: "EnrollmentHeld", at: cmd.at, reason: cmd.reason }]);
    case "ReleaseHold":
      return state.holdReason === null ? none : ok([{ type: "EnrollmentHoldReleased", at: cmd.at }]);
    case "Extend":
      // A renewed period moves the end date of what still gives access and has one; a perpetual
      // enrollment stays perpetual. Only later: a renewal delivered late or twice never shortens access.
      if (state.status !== "active" && state.status !== "completed") return none;
      if (!state.expiresAt || state.expiresAt.getTime() >= cmd.expiresAt.getTime()) return none;
      return ok([{ type: "EnrollmentExpiryMoved", at: cmd.at, from: state.expiresAt, to: cmd.expiresAt }]);
    case "End":
      return decideEnd(state, cmd);
    default: {
      const unreachable: never = cmd;
      return unreachable;
    }
  }
}

export function evolve(state: Enrollment | null, event: EnrollmentEvent): Enrollment {
  if (event.type === "EnrollmentCreated") return event.enrollment;
  if (!state) throw new Error(`${event.type} applied to no enrollment`);
  switch (event.type) {
    case "EnrollmentAccessed":
      return { ...state, attemptCount: event.attemptNumber };
    case "EnrollmentCompleted":
      return { ...state, status: "completed", completedAt: event.completedAt, completionRecordId: event.completionRecordId };
    case "EnrollmentExpired":
      return { ...state, status: "expired", expiredAt: event.expiredAt };
    case "EnrollmentRevoked":
      return {
        ...state,
        status: "revoked",
        revokedAt: event.revokedAt,
        revokeReason: event.reason,
        unenrolledAt: event.byLearner ? event.revokedAt : state.unenrolledAt,
      };
    case "EnrollmentModeChanged":
      return { ...state, mode: event.to };
    case "EnrollmentErased":
      return { ...state, userId: event.pseudonym, erasedAt: event.at };
    case "EnrollmentHeld":
      return { ...state, holdReason: event.reason };
    case "EnrollmentHoldReleased":
      return { ...state, holdReason: null };
    case "EnrollmentExpiryMoved":
      return { ...state, expiresAt: event.to };
    default: {
      const unreachable: never = event;
      return unreachable;
    }
  }
}

/**
 * The subscription behind the enrollment ended. A completed enrollment keeps what the learner earned;
 * an active one falls back to audit where the course offers it (open-ended: audit never needed a
 * subscription), else it expires at `at`. The suspension, if any, ends with the subscription.
 */
function decideEnd(state: Enrollment, cmd: Extract<EnrollmentCommand, { type: "End" }>): Decision {
  const released: EnrollmentEvent[] = state.holdReason ? [{ type: "EnrollmentHoldReleased", at: cmd.at }] : [];
  if (state.status !== "active") return ok(released);
  if (!cmd.auditAvailable) return ok([...released, { type: "EnrollmentExpired", expiredAt: cmd.at }]);
  const downgraded: EnrollmentEvent[] =
    state.mode === "audit"
      ? []
      : [{ type: "EnrollmentModeChanged", at: cmd.at, from: state.mode, to: "audit", reason: "subscription_ended" }];
  const lifted: EnrollmentEvent[] = state.expiresAt ? [{ type: "EnrollmentExpiryMoved", at: cmd.at, from: state.expiresAt, to: null }] : [];
  return ok([...released, ...downgraded, ...lifted]);
}

/** decide, then evolve: the new state and the events, or the refusal. */
export function apply(state: Enrollment | null, cmd: EnrollmentCommand): Result<{ state: Enrollment | null; events: EnrollmentEvent[] }> {
  const decision = decide(state, cmd);
  if (!decision.ok) return decision;
  return ok({ state: decision.value.reduce<Enrollment | null>(evolve, state), events: decision.value });
}

/** Which of a learner's enrollments in one course answers for them: active verified, then active audit, then completed. */
export function rank(e: Enrollment): number {
  if (e.status === "active") return e.mode === "verified" ? 0 : 1;
  if (e.status === "completed") return 2;
  return 3;
}
