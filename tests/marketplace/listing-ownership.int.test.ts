import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { count, draftListing, startMarket, type Market } from "./marketplace-fixture.js";

// Issue #18 item 4: a listing sells the provider's own course, at a version the catalog knows.
let m: Market;
beforeAll(async () => {
  m = await startMarket(); // crs_1 (cv_1, cv_2, cv_late) belongs to prv_1
});
afterAll(async () => m?.t.stop());

const create = (token: string, body: Record<string, unknown>) =>
  m.call("POST", "/api/v1/listings", { token, body: { title: "t", ...body } });

describe("listing creation checks the course against the catalog", () => {
  it("refuses another provider's course with the catalog's ownership code, and writes nothing", async () => {
    const before = await count(m, "marketplace.listings");
    const refused = await create(m.otherProvider, { courseId: "crs_1", courseVersionId: "cv_1" });
    expect(refused.status).toBe(403);
    expect(refused.body.code).toBe("CATALOG.NOT_COURSE_OWNER");
    // A token that is also a platform admin still lists as its pid: the listing would pay prv_2.
    const adminToo = await m.t.token({ sub: "usr_both", tid: "ten_prov2", roles: ["provider", "platform_admin"], pid: "prv_2" });
    expect((await create(adminToo, { courseId: "crs_1", courseVersionId: "cv_1" })).body.code).toBe("CATALOG.NOT_COURSE_OWNER");
    expect(await count(m, "marketplace.listings")).toBe(before);
  });

  it("refuses a version the course does not have, and a course the catalog does not know", async () => {
    const before = await count(m, "marketplace.listings");
    const version = await create(m.provider, { courseId: "crs_1", courseVersionId: "cv_nope" });
    expect(version.status).toBe(422);
    expect(version.body).toMatchObject({ code: "LISTING.COURSE_VERSION_UNKNOWN", errors: [{ path: "body/courseVersionId" }] });
    const course = await create(m.provider, { courseId: "crs_nope", courseVersionId: "cv_1" });
    expect(course.status).toBe(422);
    expect(course.body).toMatchObject({ code: "LISTING.COURSE_UNKNOWN", errors: [{ path: "body/courseId" }] });
    expect(await count(m, "marketplace.listings")).toBe(before);
  });

  it("lists the owner's known version, and re-targets only to another version of the same course", async () => {
    const listingId = await draftListing(m, { courseVersionId: "cv_1" });
    const unknown = await m.call("POST", `/api/v1/listings/${listingId}/retarget`, {
      token: m.provider,
      body: { courseVersionId: "cv_nope" },
    });
    expect(unknown.status).toBe(422);
    expect(unknown.body.code).toBe("LISTING.COURSE_VERSION_UNKNOWN");
    const known = await m.call("POST", `/api/v1/listings/${listingId}/retarget`, { token: m.provider, body: { courseVersionId: "cv_2" } });
    expect(known.status).toBe(200);
    expect(known.body).toMatchObject({ courseVersionId: "cv_2", status: "draft" });
  });
});
