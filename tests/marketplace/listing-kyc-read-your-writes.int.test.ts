import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { catalogCourse, startMarket, type Market } from "./marketplace-fixture.js";

// Issue #18 item 9c: an admin verifies a provider's KYC and approves its listing at once, with no
// sleep in between; the approval must see the KYC (on PostgreSQL + NATS the event projection lags).
let m: Market;
beforeAll(async () => {
  m = await startMarket();
});
afterAll(async () => m?.t.stop());

describe("KYC then approval, back to back", () => {
  it("approves right after the KYC route answers, every time", async () => {
    const rounds = 30;
    const codes: string[] = [];
    for (let i = 0; i < rounds; i++) {
      const tenantId = `ten_kyc${i}`;
      const providerId = `prv_kyc${i}`;
      expect(
        (await m.call("POST", "/api/v1/tenants", { token: m.admin, body: { tenantId, name: `KYC ${i}`, kind: "organization" } })).status,
      ).toBe(201);
      expect((await m.call("POST", "/api/v1/providers", { token: m.admin, body: { providerId, tenantId, name: `P ${i}` } })).status).toBe(
        201,
      );
      await catalogCourse(m, `crs_kyc${i}`, providerId, [`cv_kyc${i}`]);
      const token = await m.t.token({ sub: `usr_kyc${i}`, tid: tenantId, roles: ["provider"], pid: providerId });
      const created = await m.call("POST", "/api/v1/listings", {
        token,
        body: { courseId: `crs_kyc${i}`, courseVersionId: `cv_kyc${i}`, title: `Course ${i}` },
      });
      expect(created.status).toBe(201);
      expect((await m.call("POST", `/api/v1/listings/${created.body.listingId}/submit`, { token })).status).toBe(200);

      expect((await m.call("POST", `/api/v1/providers/${providerId}/kyc`, { token: m.admin, body: { status: "verified" } })).status).toBe(
        200,
      );
      const approved = await m.call("POST", `/api/v1/listings/${created.body.listingId}/approve`, { token: m.admin });
      codes.push(approved.status === 200 ? "approved" : String(approved.body.code));
    }
    expect(codes).toEqual(Array.from({ length: rounds }, () => "approved"));
  });

  it("still refuses approval while tenancy holds the KYC as rejected", async () => {
    await m.call("POST", "/api/v1/tenants", { token: m.admin, body: { tenantId: "ten_rej", name: "Rejected", kind: "organization" } });
    await m.call("POST", "/api/v1/providers", { token: m.admin, body: { providerId: "prv_rej", tenantId: "ten_rej", name: "R" } });
    await catalogCourse(m, "crs_rej", "prv_rej", ["cv_rej"]);
    const token = await m.t.token({ sub: "usr_rej", tid: "ten_rej", roles: ["provider"], pid: "prv_rej" });
    const listingId = (
      await m.call("POST", "/api/v1/listings", { token, body: { courseId: "crs_rej", courseVersionId: "cv_rej", title: "R" } })
    ).body.listingId;
    await m.call("POST", `/api/v1/listings/${listingId}/submit`, { token });
    expect((await m.call("POST", `/api/v1/providers/prv_rej/kyc`, { token: m.admin, body: { status: "rejected" } })).status).toBe(200);
    const refused = await m.call("POST", `/api/v1/listings/${listingId}/approve`, { token: m.admin });
    expect(refused.status).toBe(422);
    expect(refused.body.code).toBe("LISTING.PROVIDER_KYC_REQUIRED");
  });
});
