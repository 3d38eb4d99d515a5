import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { count, draftListing, publishedEvents, startMarket, type Market } from "./marketplace-fixture.js";

let m: Market;
beforeAll(async () => {
  m = await startMarket();
});
afterAll(async () => m?.t.stop());

async function createPolicy(body: Record<string, unknown> = { name: "14-day refund", type: "full_refund", refundPeriodDays: 14 }) {
  const response = await m.call("POST", "/api/v1/refund-policies", { token: m.admin, body });
  expect(response.status, JSON.stringify(response.body)).toBe(201);
  return response.body as { policyId: string };
}

describe("refund policies", () => {
  it("are created, updated and deprecated by platform admins, each with its event (seed 002)", async () => {
    const { policyId } = await createPolicy();
    expect(policyId).toMatch(/^rfp_/);
    const updated = await m.call("PATCH", `/api/v1/refund-policies/${policyId}`, { token: m.admin, body: { refundPeriodDays: 30 } });
    expect(updated.body).toMatchObject({ policyId, refundPeriodDays: 30, status: "active" });
    const deprecated = await m.call("POST", `/api/v1/refund-policies/${policyId}/deprecate`, { token: m.admin });
    expect(deprecated.body.status).toBe("deprecated");

    const events = await publishedEvents(m, `aggregateId=${policyId}`);
    expect(events.map((e) => [e.type, e.payload])).toEqual([
      ["marketplace.refund_policy.created.v1", { policyId, name: "14-day refund", type: "full_refund", refundPeriodDays: 14 }],
      ["marketplace.refund_policy.updated.v1", { policyId, name: "14-day refund", type: "full_refund", refundPeriodDays: 30 }],
      ["marketplace.refund_policy.deprecated.v1", { policyId, name: "14-day refund", type: "full_refund", refundPeriodDays: 30 }],
    ]);
    for (const event of events) {
      expect(m.t.app.kernel.registry.validate(event.type, event.payload)).toEqual([]);
      expect(event.retentionClass).toBe("audit");
    }
  });

  it("a listing references one; a deprecated policy cannot be attached to a new listing", async () => {
    const { policyId } = await createPolicy();
    const listingId = await draftListing(m, { refundPolicyId: policyId });
    expect((await m.call("GET", `/api/v1/listings/${listingId}`, { token: m.provider })).body.refundPolicyId).toBe(policyId);

    await m.call("POST", `/api/v1/refund-policies/${policyId}/deprecate`, { token: m.admin });
    const listings = await count(m, "marketplace.listings");
    const refused = await m.call("POST", "/api/v1/listings", {
      token: m.provider,
      body: { courseId: "crs_1", courseVersionId: "cv_1", title: "t", refundPolicyId: policyId },
    });
    expect(refused.status).toBe(409);
    expect(refused.body.code).toBe("REFUND_POLICY.DEPRECATED");
    expect(await count(m, "marketplace.listings")).toBe(listings);
    const edit = await m.call("PATCH", `/api/v1/listings/${(await draftListing(m)).toString()}`, {
      token: m.provider,
      body: { refundPolicyId: policyId },
    });
    expect(edit.body.code).toBe("REFUND_POLICY.DEPRECATED");
    // The listing that already had it keeps it.
    expect((await m.call("GET", `/api/v1/listings/${listingId}`, { token: m.provider })).body.refundPolicyId).toBe(policyId);
  });

  it("refuses changing a deprecated policy or deprecating it twice", async () => {
    const { policyId } = await createPolicy();
    await m.call("POST", `/api/v1/refund-policies/${policyId}/deprecate`, { token: m.admin });
    expect((await m.call("PATCH", `/api/v1/refund-policies/${policyId}`, { token: m.admin, body: { name: "x" } })).body.code).toBe(
      "REFUND_POLICY.DEPRECATED",
    );
    expect((await m.call("POST", `/api/v1/refund-policies/${policyId}/deprecate`, { token: m.admin })).status).toBe(409);
  });

  it("refuses an unknown policy on a listing, and a provider managing policies", async () => {
    const unknown = await m.call("POST", "/api/v1/listings", {
      token: m.provider,
      body: { courseId: "crs_1", courseVersionId: "cv_1", title: "t", refundPolicyId: "rfp_nope" },
    });
    expect(unknown.status).toBe(422);
    expect(unknown.body.code).toBe("REFUND_POLICY.UNKNOWN");
    const forbidden = await m.call("POST", "/api/v1/refund-policies", {
      token: m.provider,
      body: { name: "mine", type: "full", refundPeriodDays: 1 },
    });
    expect(forbidden.status).toBe(403);
  });

  it("refuses bad input with 400 and writes nothing", async () => {
    const before = [await count(m, "marketplace.refund_policies"), await count(m, "platform.outbox")];
    for (const body of [
      { name: "x", type: "full", refundPeriodDays: -1 },
      { name: "x", type: "full", refundPeriodDays: 1.5 },
      { name: "", type: "full", refundPeriodDays: 1 },
      { name: "x", type: "Full Refund!", refundPeriodDays: 1 },
      { name: "x", type: "full" },
    ]) {
      const response = await m.call("POST", "/api/v1/refund-policies", { token: m.admin, body });
      expect(response.status).toBe(400);
      expect(response.body.code).toBe("REQUEST.VALIDATION_FAILED");
    }
    expect([await count(m, "marketplace.refund_policies"), await count(m, "platform.outbox")]).toEqual(before);
  });
});
