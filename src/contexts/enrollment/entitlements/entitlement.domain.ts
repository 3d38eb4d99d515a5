import type { EnrollmentMode, HoldReason } from "../enrollments/enrollment.domain.js";

/** What the entitlement query reads: the one enrollment that answers for (userId, courseId). */
export interface EntitlementFacts {
  /** null for a deferred entitlement: an open assignment window or a site license, realized on first play. */
  enrollmentId: string | null;
  licenseId: string | null;
  mode: EnrollmentMode;
  /** An enrollment status, or "deferred" (see enrollmentId). */
  status: string;
  expiresAt: Date | null;
  offline: boolean;
  offlineUntil: Date | null;
  /** The enrollment is held (its license's subscription is suspended): no access until released. */
  holdReason: HoldReason | null;
}

export interface Entitlement {
  entitled: boolean;
  enrollmentId?: string;
  licenseId?: string;
  mode?: EnrollmentMode;
  offline: boolean;
  expiresAt?: string;
  /** Why not, when the learner could otherwise play: only a hold says so (a learner with no enrollment hears nothing more). */
  reason?: HoldReason;
}

export const NOT_ENTITLED: Entitlement = { entitled: false, offline: false };

/**
 * Pure: an active or completed enrollment whose end date has not passed entitles the learner (a
 * completed course stays open for review). The time is checked here, not only by the expiry poller,
 * so access ends exactly at expiresAt even if the poller runs late. A deferred entitlement (no
 * enrollment yet; it is created on the first play) answers entitled without an enrollmentId.
 */
export function entitlementOf(facts: EntitlementFacts | undefined, now: Date): Entitlement {
  if (!facts) return NOT_ENTITLED;
  if (facts.status !== "active" && facts.status !== "completed" && facts.status !== "deferred") return NOT_ENTITLED;
  if (facts.expiresAt && facts.expiresAt.getTime() <= now.getTime()) return NOT_ENTITLED;
  if (facts.holdReason) return { ...NOT_ENTITLED, reason: facts.holdReason };
  const offline = facts.offline && (facts.offlineUntil === null || facts.offlineUntil.getTime() > now.getTime());
  return {
    entitled: true,
    ...(facts.enrollmentId ? { enrollmentId: facts.enrollmentId } : {}),
    ...(facts.licenseId ? { licenseId: facts.licenseId } : {}),
    mode: facts.mode,
    offline,
    ...(facts.expiresAt ? { expiresAt: facts.expiresAt.toISOString() } : {}),
  };
}
