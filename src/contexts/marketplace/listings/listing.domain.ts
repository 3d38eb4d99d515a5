import { ok, type Result } from "../../../platform/result.js";
import { reject, type MarketplaceCode } from "../errors.js";

/**
 * A listing: what a provider sells, pinned to an exact course version (seed 001 §10.7).
 * Lifecycle Draft → Submitted → Approved → Live → Suspended; Rejected goes back to Draft,
 * Reinstate back to Live; re-targeting another version goes back to Draft for re-approval.
 */
export const LISTING_STATUSES = ["draft", "submitted", "approved", "live", "suspended"] as const;
export type ListingStatus = (typeof LISTING_STATUSES)[number];

export interface Listing {
  id: string;
  providerId: string;
  courseId: string;
  courseVersionId: string;
  status: ListingStatus;
}

export type Actor = { kind: "provider"; providerId: string } | { kind: "platform_admin" };
export type KycStatus = "verified" | "pending" | "rejected";

export interface VersionReadiness {
  /** The readiness is of this exact course/version pair (false when upstream never mentioned it). */
  published: boolean;
  playPackageBuilt: boolean;
}

export type ListingCommand =
  | { type: "Submit" }
  | { type: "Approve"; providerKyc: KycStatus }
  | { type: "Reject"; reason: string }
  | { type: "GoLive"; version: VersionReadiness; planCount: number }
  | { type: "Suspend"; reason: string }
  | { type: "Reinstate"; reason: string }
  | { type: "Retarget"; courseVersionId: string; versionOfCourse: boolean };

export type ListingEvent =
  | { type: "ListingSubmitted" }
  | { type: "ListingApproved" }
  | { type: "ListingRejected"; reason: string }
  | { type: "ListingWentLive" }
  | { type: "ListingSuspended"; reason: string }
  | { type: "ListingReinstated"; reason: string }
  | { type: "ListingRetargeted"; courseVersionId: string };

export interface ListingDecision {
  status: ListingStatus;
  courseVersionId: string;
  event: ListingEvent;
}

/**
 * The one transition table: from which states a command may run, who may run it, where it leads,
 * and the code a caller gets when the listing is in any other state.
 */
export const TRANSITIONS: {
  readonly [C in ListingCommand["type"]]: {
    from: readonly ListingStatus[];
    to: ListingStatus;
    by: Actor["kind"];
    otherwise: MarketplaceCode;
  };
} = {
  Submit: { from: ["draft"], to: "submitted", by: "provider", otherwise: "LISTING.NOT_DRAFT" },
  Approve: { from: ["submitted"], to: "approved", by: "platform_admin", otherwise: "LISTING.NOT_SUBMITTED" },
  Reject: { from: ["submitted"], to: "draft", by: "platform_admin", otherwise: "LISTING.NOT_SUBMITTED" },
  GoLive: { from: ["approved"], to: "live", by: "provider", otherwise: "LISTING.NOT_APPROVED" },
  Suspend: { from: ["live"], to: "suspended", by: "platform_admin", otherwise: "LISTING.NOT_LIVE" },
  Reinstate: { from: ["suspended"], to: "live", by: "platform_admin", otherwise: "LISTING.NOT_SUSPENDED" },
  // A suspension is the platform's sanction: the provider cannot escape it by re-targeting.
  Retarget: { from: ["draft", "submitted", "approved", "live"], to: "draft", by: "provider", otherwise: "LISTING.SUSPENDED" },
};

/** Who may act on this listing at all: its own provider, or a platform admin, per the table. */
function actorGuard(listing: Listing, actor: Actor, by: Actor["kind"]): Result<null> {
  if (by === "platform_admin")
    return actor.kind === "platform_admin" ? ok(null) : reject("LISTING.ADMIN_ONLY", "only a platform admin may do this");
  if (actor.kind !== "provider") return reject("LISTING.PROVIDER_ONLY", "only the listing's provider may do this");
  if (actor.providerId !== listing.providerId) return reject("LISTING.NOT_OWNER", "this listing belongs to another provider");
  return ok(null);
}

/**
 * What the catalog says of the course a listing would sell (seed 001 §5.1: validate CourseId /
 * CourseVersionId): who provides it, and whether the version is one of its versions. `null`: the
 * catalog does not know the course.
 */
export interface ListableCourse {
  providerId: string;
  versionOfCourse: boolean;
}

/**
 * A provider lists only its own course: the listing's provider earns the sale, so listing another
 * provider's course would sell it and pay the wrong party. Same code as editing another's course.
 */
export function decideCreate(actor: Actor & { kind: "provider" }, course: ListableCourse | null): Result<null> {
  if (!course) return reject("LISTING.COURSE_UNKNOWN", "the catalog knows no such course", "body/courseId");
  if (course.providerId !== actor.providerId) return reject("CATALOG.NOT_COURSE_OWNER", "only the course's provider may list it");
  if (!course.versionOfCourse) return reject("LISTING.COURSE_VERSION_UNKNOWN", "the course has no such version", "body/courseVersionId");
  return ok(null);
}

/** Edits of copy and assets: only the owner, only while a draft (what was approved is what goes live). */
export function decideEdit(listing: Listing, actor: Actor): Result<null> {
  const who = actorGuard(listing, actor, "provider");
  if (!who.ok) return who;
  if (listing.status !== "draft") return reject("LISTING.NOT_EDITABLE", "only a draft listing can be edited; re-target it to change it");
  return ok(null);
}

/** Pricing belongs to the owner in every state: orders pin (planId, version), so a change never rewrites a sale. */
export function decidePricing(listing: Listing, actor: Actor): Result<null> {
  return actorGuard(listing, actor, "provider");
}

export function decide(listing: Listing, actor: Actor, cmd: ListingCommand): Result<ListingDecision> {
  const rule = TRANSITIONS[cmd.type];
  const who = actorGuard(listing, actor, rule.by);
  if (!who.ok) return who;
  if (!rule.from.includes(listing.status)) return reject(rule.otherwise, `the listing is ${listing.status}`);
  const to = (event: ListingEvent, courseVersionId = listing.courseVersionId): Result<ListingDecision> =>
    ok({ status: rule.to, courseVersionId, event });
  switch (cmd.type) {
    case "Submit":
      return to({ type: "ListingSubmitted" });
    case "Approve":
      // seed 001 §10.6: KYC is enforced at approval, so buyers never see a listing they cannot pay for.
      if (cmd.providerKyc !== "verified") return reject("LISTING.PROVIDER_KYC_REQUIRED", "the provider's KYC is not verified");
      return to({ type: "ListingApproved" });
    case "Reject":
      return to({ type: "ListingRejected", reason: cmd.reason });
    case "GoLive":
      // seed 001 §5.1: the exact version must be published and its play package built.
      if (!cmd.version.published) return reject("LISTING.VERSION_NOT_PUBLISHED", "the listed course version is not published");
      if (!cmd.version.playPackageBuilt)
        return reject("LISTING.PLAY_PACKAGE_NOT_BUILT", "the listed course version has no built play package");
      if (cmd.planCount === 0) return reject("LISTING.NO_PLANS", "a listing needs a pricing plan before it can go live");
      return to({ type: "ListingWentLive" });
    case "Suspend":
      return to({ type: "ListingSuspended", reason: cmd.reason });
    case "Reinstate":
      return to({ type: "ListingReinstated", reason: cmd.reason });
    case "Retarget":
      if (cmd.courseVersionId === listing.courseVersionId)
        return reject("LISTING.SAME_VERSION", "the listing already targets this version", "body/courseVersionId");
      if (!cmd.versionOfCourse)
        return reject("LISTING.COURSE_VERSION_UNKNOWN", "the listing's course has no such version", "body/courseVersionId");
      return to({ type: "ListingRetargeted", courseVersionId: cmd.courseVersionId }, cmd.courseVersionId);
    default: {
      const unreachable: never = cmd;
      return unreachable;
    }
  }
}
