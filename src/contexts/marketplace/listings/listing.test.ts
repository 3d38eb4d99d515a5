import { describe, expect, it } from "vitest";
import { codeOf, givenWhenThen } from "../../../platform/testing/given-when-then.js";
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
/** When someone (the actor) issues a command. */
const given = givenWhenThen((l: Listing, [by, cmd]: [Actor, ListingCommand]) => decide(l, by, cmd));

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
          given(listing(from))
            .when([actorFor(command), happy[command]])
            .then((result) => expect(result.ok && result.value.status).toBe(to));
        });
      } else {
        it(`${command} refuses a ${from} listing with ${TRANSITIONS[command].otherwise}`, () => {
          given(listing(from))
            .when([actorFor(command), happy[command]])
            .then((result) => expect(codeOf(result)).toBe(TRANSITIONS[command].otherwise));
        });
      }
    }
  }
});

describe("listing guards", () => {
  it("refuses approval until the provider's KYC is verified", () => {
    for (const kyc of ["pending", "rejected"] as const) {
      given(listing("submitted"))
        .when([admin, { type: "Approve", providerKyc: kyc }])
        .then((result) => expect(codeOf(result)).toBe("LISTING.PROVIDER_KYC_REQUIRED"));
    }
  });

  it("refuses going live until the exact version is published and its play package built", () => {
    const refusals = [
      [{ published: false, playPackageBuilt: true }, "LISTING.VERSION_NOT_PUBLISHED"],
      [{ published: true, playPackageBuilt: false }, "LISTING.PLAY_PACKAGE_NOT_BUILT"],
      [{ published: false, playPackageBuilt: false }, "LISTING.VERSION_NOT_PUBLISHED"],
    ] as const;
    for (const [version, code] of refusals) {
      given(listing("approved"))
        .when([owner, { type: "GoLive", version, planCount: 1 }])
        .then((result) => expect(codeOf(result)).toBe(code));
    }
  });

  it("refuses going live without a pricing plan", () => {
    given(listing("approved"))
      .when([owner, { type: "GoLive", version: ready, planCount: 0 }])
      .then((result) => expect(codeOf(result)).toBe("LISTING.NO_PLANS"));
  });

  it("re-targets a live listing to the new version and back to draft", () => {
    given(listing("live"))
      .when([owner, { type: "Retarget", courseVersionId: "cv_9", versionOfCourse: true }])
      .then((result) =>
        expect(result.ok && result.value).toEqual({
          status: "draft",
          courseVersionId: "cv_9",
          event: { type: "ListingRetargeted", courseVersionId: "cv_9" },
        }),
      );
  });

  it("refuses re-targeting to a version the listing's course does not have", () => {
    given(listing("draft"))
      .when([owner, { type: "Retarget", courseVersionId: "cv_elsewhere", versionOfCourse: false }])
      .then((result) =>
        expect(result.ok ? "accepted" : result.rejection).toMatchObject({
          code: "LISTING.COURSE_VERSION_UNKNOWN",
          field: "body/courseVersionId",
        }),
      );
  });

  it("lets a provider list only a known version of its own course", () => {
    const code = (course: Parameters<typeof decideCreate>[1]) => codeOf(decideCreate({ kind: "provider", providerId: "prv_1" }, course));
    expect(code({ providerId: "prv_1", versionOfCourse: true })).toBe("ok");
    expect(code({ providerId: "prv_2", versionOfCourse: true })).toBe("CATALOG.NOT_COURSE_OWNER");
    expect(code({ providerId: "prv_1", versionOfCourse: false })).toBe("LISTING.COURSE_VERSION_UNKNOWN");
    expect(code(null)).toBe("LISTING.COURSE_UNKNOWN");
  });

  it("refuses re-targeting to the version already listed", () => {
    given(listing("draft"))
      .when([owner, { type: "Retarget", courseVersionId: "cv_1", versionOfCourse: true }])
      .then((result) => expect(codeOf(result)).toBe("LISTING.SAME_VERSION"));
  });
});

describe("who may act", () => {
  it("lets only the owning provider submit, go live and re-target", () => {
    for (const command of ["Submit", "GoLive", "Retarget"] as const) {
      const from = TRANSITIONS[command].from[0]!;
      given(listing(from))
        .when([stranger, happy[command]])
        .then((result) => expect(codeOf(result)).toBe("LISTING.NOT_OWNER"));
      given(listing(from))
        .when([admin, happy[command]])
        .then((result) => expect(codeOf(result)).toBe("LISTING.PROVIDER_ONLY"));
    }
  });

  it("lets only a platform admin approve, reject, suspend and reinstate", () => {
    for (const command of ["Approve", "Reject", "Suspend", "Reinstate"] as const) {
      given(listing(TRANSITIONS[command].from[0]!))
        .when([owner, happy[command]])
        .then((result) => expect(codeOf(result)).toBe("LISTING.ADMIN_ONLY"));
    }
  });

  it("lets the owner edit a draft, and nobody edit once submitted", () => {
    const givenEdit = givenWhenThen(decideEdit);
    givenEdit(listing("draft"))
      .when(owner)
      .then((result) => expect(result.ok).toBe(true));
    givenEdit(listing("draft"))
      .when(stranger)
      .then((result) => expect(codeOf(result)).toBe("LISTING.NOT_OWNER"));
    givenEdit(listing("submitted"))
      .when(owner)
      .then((result) => expect(codeOf(result)).toBe("LISTING.NOT_EDITABLE"));
  });
});
