import { describe, expect, it } from "vitest";
import {
  decide,
  decideCreate,
  decideEdit,
  LISTING_STATUSES,
  TRANSITIONS,
  type Actor,
  type Listing,
  type ListingCommand,
  type ListingStatus,
} from "./listing.domain.js";

const owner: Actor = { kind: "provider", providerId: "prv_1" };
const stranger: Actor = { kind: "provider", providerId: "prv_2" };
const admin: Actor = { kind: "platform_admin" };
const ready = { published: true, playPackageBuilt: true };

const listing = (status: ListingStatus): Listing => ({
  id: "lst_1",
  providerId: "prv_1",
  courseId: "crs_1",
  courseVersionId: "cv_1",
  status,
});

/** Each command with facts that satisfy its guards, so only the state decides. */
const happy: { [C in ListingCommand["type"]]: Extract<ListingCommand, { type: C }> } = {
  Submit: { type: "Submit" },
  Approve: { type: "Approve", providerKyc: "verified" },
  Reject: { type: "Reject", reason: "screenshots missing" },
  GoLive: { type: "GoLive", version: ready, planCount: 1 },
  Suspend: { type: "Suspend", reason: "complaint" },
  Reinstate: { type: "Reinstate", reason: "resolved" },
  Retarget: { type: "Retarget", courseVersionId: "cv_2", versionOfCourse: true },
};
const actorFor = (cmd: ListingCommand["type"]) => (TRANSITIONS[cmd].by === "platform_admin" ? admin : owner);

describe("listing lifecycle: every transition", () => {
  const expected: Record<ListingCommand["type"], Partial<Record<ListingStatus, ListingStatus>>> = {
    Submit: { draft: "submitted" },
    Approve: { submitted: "approved" },
    Reject: { submitted: "draft" },
    GoLive: { approved: "live" },
    Suspend: { live: "suspended" },
    Reinstate: { suspended: "live" },
    Retarget: { draft: "draft", submitted: "draft", approved: "draft", live: "draft" },
  };

  for (const [command, allowed] of Object.entries(expected) as Array<
    [ListingCommand["type"], Partial<Record<ListingStatus, ListingStatus>>]
  >) {
    for (const from of LISTING_STATUSES) {
      const to = allowed[from];
      if (to) {
        it(`${command} moves a ${from} listing to ${to}`, () => {
          const result = decide(listing(from), actorFor(command), happy[command]);
          expect(result.ok && result.value.status).toBe(to);
        });
      } else {
        it(`${command} refuses a ${from} listing with ${TRANSITIONS[command].otherwise}`, () => {
          const result = decide(listing(from), actorFor(command), happy[command]);
          expect(result.ok ? "accepted" : result.rejection.code).toBe(TRANSITIONS[command].otherwise);
        });
      }
    }
  }
});

describe("listing guards", () => {
  it("refuses approval until the provider's KYC is verified", () => {
    for (const kyc of ["pending", "rejected"] as const) {
      const result = decide(listing("submitted"), admin, { type: "Approve", providerKyc: kyc });
      expect(result.ok ? "accepted" : result.rejection.code).toBe("LISTING.PROVIDER_KYC_REQUIRED");
    }
  });

  it("refuses going live until the exact version is published and its play package built", () => {
    const codeOf = (version: { published: boolean; playPackageBuilt: boolean }) => {
      const result = decide(listing("approved"), owner, { type: "GoLive", version, planCount: 1 });
      return result.ok ? "accepted" : result.rejection.code;
    };
    expect(codeOf({ published: false, playPackageBuilt: true })).toBe("LISTING.VERSION_NOT_PUBLISHED");
    expect(codeOf({ published: true, playPackageBuilt: false })).toBe("LISTING.PLAY_PACKAGE_NOT_BUILT");
    expect(codeOf({ published: false, playPackageBuilt: false })).toBe("LISTING.VERSION_NOT_PUBLISHED");
  });

  it("refuses going live without a pricing plan", () => {
    const result = decide(listing("approved"), owner, { type: "GoLive", version: ready, planCount: 0 });
    expect(result.ok ? "accepted" : result.rejection.code).toBe("LISTING.NO_PLANS");
  });

  it("re-targets a live listing to the new version and back to draft", () => {
    const result = decide(listing("live"), owner, { type: "Retarget", courseVersionId: "cv_9", versionOfCourse: true });
    expect(result.ok && result.value).toEqual({
      status: "draft",
      courseVersionId: "cv_9",
      event: { type: "ListingRetargeted", courseVersionId: "cv_9" },
    });
  });

  it("refuses re-targeting to a version the listing's course does not have", () => {
    const result = decide(listing("draft"), owner, { type: "Retarget", courseVersionId: "cv_elsewhere", versionOfCourse: false });
    expect(result.ok ? "accepted" : result.rejection).toMatchObject({
      code: "LISTING.COURSE_VERSION_UNKNOWN",
      field: "body/courseVersionId",
    });
  });

  it("lets a provider list only a known version of its own course", () => {
    const code = (course: Parameters<typeof decideCreate>[1]) => {
      const result = decideCreate({ kind: "provider", providerId: "prv_1" }, course);
      return result.ok ? "accepted" : result.rejection.code;
    };
    expect(code({ providerId: "prv_1", versionOfCourse: true })).toBe("accepted");
    expect(code({ providerId: "prv_2", versionOfCourse: true })).toBe("CATALOG.NOT_COURSE_OWNER");
    expect(code({ providerId: "prv_1", versionOfCourse: false })).toBe("LISTING.COURSE_VERSION_UNKNOWN");
    expect(code(null)).toBe("LISTING.COURSE_UNKNOWN");
  });

  it("refuses re-targeting to the version already listed", () => {
    const result = decide(listing("draft"), owner, { type: "Retarget", courseVersionId: "cv_1", versionOfCourse: true });
    expect(result.ok ? "accepted" : result.rejection.code).toBe("LISTING.SAME_VERSION");
  });
});

describe("who may act", () => {
  it("lets only the owning provider submit, go live and re-target", () => {
    for (const command of ["Submit", "GoLive", "Retarget"] as const) {
      const from = TRANSITIONS[command].from[0]!;
      const asStranger = decide(listing(from), stranger, happy[command]);
      expect(asStranger.ok ? "accepted" : asStranger.rejection.code).toBe("LISTING.NOT_OWNER");
      const asAdmin = decide(listing(from), admin, happy[command]);
      expect(asAdmin.ok ? "accepted" : asAdmin.rejection.code).toBe("LISTING.PROVIDER_ONLY");
    }
  });

  it("lets only a platform admin approve, reject, suspend and reinstate", () => {
    for (const command of ["Approve", "Reject", "Suspend", "Reinstate"] as const) {
      const result = decide(listing(TRANSITIONS[command].from[0]!), owner, happy[command]);
      expect(result.ok ? "accepted" : result.rejection.code).toBe("LISTING.ADMIN_ONLY");
    }
  });

  it("lets the owner edit a draft, and nobody edit once submitted", () => {
    expect(decideEdit(listing("draft"), owner).ok).toBe(true);
    const foreign = decideEdit(listing("draft"), stranger);
    expect(foreign.ok ? "accepted" : foreign.rejection.code).toBe("LISTING.NOT_OWNER");
    const submitted = decideEdit(listing("submitted"), owner);
    expect(submitted.ok ? "accepted" : submitted.rejection.code).toBe("LISTING.NOT_EDITABLE");
  });
});
