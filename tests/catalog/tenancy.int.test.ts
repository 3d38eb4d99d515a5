import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { count, ingest, publishedEvents, startMarket, type Market } from "../marketplace/marketplace-fixture.js";

let m: Market;
let orgAdmin: string;
beforeAll(async () => {
  m = await startMarket();
  orgAdmin = await m.t.token({ sub: "usr_oa", tid: "ten_acme", roles: ["org_admin"] });
  const created = await m.call("POST", "/api/v1/tenants", {
    token: m.admin,
    body: { tenantId: "ten_acme", name: "Acme Corp", kind: "enterprise" },
  });
  expect(created.status).toBe(201);
});
afterAll(async () => m?.t.stop());

describe("tenants and members", () => {
  it("creates tenants of each kind, keeping a caller-supplied id and refusing it twice", async () => {
    expect((await m.call("GET", "/api/v1/tenants/ten_acme", { token: m.admin })).body).toMatchObject({
      tenantId: "ten_acme",
      kind: "enterprise",
    });
    const generated = await m.call("POST", "/api/v1/tenants", { token: m.admin, body: { name: "Solo", kind: "individual" } });
    expect(generated.body.tenantId).toMatch(/^ten_/);
    const again = await m.call("POST", "/api/v1/tenants", {
      token: m.admin,
      body: { tenantId: "ten_acme", name: "Acme 2", kind: "organization" },
    });
    expect(again.status).toBe(409);
    expect(again.body.code).toBe("TENANT.ALREADY_EXISTS");
    const bad = await m.call("POST", "/api/v1/tenants", { token: m.admin, body: { name: "x", kind: "club" } });
    expect(bad.status).toBe(400);
    expect((await m.call("POST", "/api/v1/tenants", { token: orgAdmin, body: { name: "x", kind: "organization" } })).status).toBe(403);
  });

  it("adds a member once and announces tenant.member.joined.v1 once", async () => {
    const first = await m.call("POST", "/api/v1/tenants/ten_acme/members", {
      token: orgAdmin,
      body: { userId: "usr_ada", email: "ada@acme.test" },
    });
    expect(first.status).toBe(201);
    const again = await m.call("POST", "/api/v1/tenants/ten_acme/members", { token: orgAdmin, body: { userId: "usr_ada" } });
    expect(again.status).toBe(200);
    expect(again.body.joined).toBe(false);

    const events = await publishedEvents(m, "type=tenant.member.joined.v1&aggregateId=usr_ada");
    expect(events).toHaveLength(1);
    expect(events[0].payload).toEqual({ tenantId: "ten_acme", userId: "usr_ada", email: "ada@acme.test" });
    expect(events[0]).toMatchObject({ tenantId: "ten_acme", partitionKey: "usr_ada" });
    expect(m.t.app.kernel.registry.validate(events[0].type, events[0].payload)).toEqual([]);
    const members = await m.call("GET", "/api/v1/tenants/ten_acme/members", { token: orgAdmin });
    expect(members.body.items.map((i: any) => i.userId)).toEqual(["usr_ada"]);
  });

  it("accepts tenant.member.joined.v1 from outside through ingest", async () => {
    await ingest(m, "tenant.member.joined.v1", { tenantId: "ten_acme", userId: "usr_from_idp" });
    await m.t.settle();
    expect(await publishedEvents(m, "type=tenant.member.joined.v1&aggregateId=usr_from_idp")).toHaveLength(1);
  });

  it("lets only the tenant's org admins and platform admins add members", async () => {
    const foreignAdmin = await m.t.token({ sub: "usr_x", tid: "ten_other", roles: ["org_admin"] });
    const before = await count(m, "tenancy.members");
    const refused = await m.call("POST", "/api/v1/tenants/ten_acme/members", { token: foreignAdmin, body: { userId: "usr_eve" } });
    expect(refused.status).toBe(403);
    expect(refused.body.code).toBe("TENANT.FORBIDDEN");
    expect((await m.call("POST", "/api/v1/tenants/ten_acme/members", { token: m.learner, body: { userId: "usr_eve" } })).status).toBe(403);
    expect(
      (await m.call("POST", "/api/v1/tenants/ten_acme/members", { token: orgAdmin, body: { userId: "usr_eve", email: "not-an-email" } }))
        .status,
    ).toBe(400);
    expect((await m.call("POST", "/api/v1/tenants/ten_nope/members", { token: m.admin, body: { userId: "usr_eve" } })).body.code).toBe(
      "TENANT.NOT_FOUND",
    );
    expect(await count(m, "tenancy.members")).toBe(before);
  });
});

describe("providers and KYC", () => {
  it("registers a provider pending KYC and records the admin's decision", async () => {
    const created = await m.call("POST", "/api/v1/providers", {
      token: m.admin,
      body: { providerId: "prv_acme", tenantId: "ten_acme", name: "Acme Learning" },
    });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({ providerId: "prv_acme", kycStatus: "pending" });
    expect((await m.call("POST", "/api/v1/providers/prv_acme/kyc", { token: m.admin, body: { status: "rejected" } })).body.kycStatus).toBe(
      "rejected",
    );
    expect((await m.call("POST", "/api/v1/providers/prv_acme/kyc", { token: m.admin, body: { status: "verified" } })).body.kycStatus).toBe(
      "verified",
    );
    await m.call("POST", "/api/v1/providers/prv_acme/kyc", { token: m.admin, body: { status: "verified" } });
    const events = await publishedEvents(m, "type=tenant.provider.kyc_verified.v1&aggregateId=prv_acme");
    expect(events.map((e) => e.payload)).toEqual([{ providerId: "prv_acme" }]);
    expect(
      (await m.call("POST", "/api/v1/providers", { token: m.admin, body: { providerId: "prv_acme", tenantId: "ten_acme", name: "Again" } }))
        .body.code,
    ).toBe("PROVIDER.ALREADY_EXISTS");
    expect((await m.call("POST", "/api/v1/providers/prv_nope/kyc", { token: m.admin, body: { status: "verified" } })).status).toBe(404);
    expect((await m.call("POST", "/api/v1/providers/prv_acme/kyc", { token: m.admin, body: { status: "maybe" } })).status).toBe(400);
    expect((await m.call("POST", "/api/v1/providers", { token: m.admin, body: { tenantId: "ten_nope", name: "x" } })).body.code).toBe(
      "TENANT.NOT_FOUND",
    );
  });

  it("takes KYC verification from the upstream event, even before the provider is registered here", async () => {
    await ingest(m, "tenant.provider.kyc_verified.v1", { providerId: "prv_upstream" });
    await m.t.settle();
    const registered = await m.call("POST", "/api/v1/providers", {
      token: m.admin,
      body: { providerId: "prv_upstream", tenantId: "ten_acme", name: "Upstream Co" },
    });
    expect(registered.body).toEqual({ providerId: "prv_upstream", kycStatus: "verified" });
    expect((await m.call("GET", "/api/v1/providers/prv_upstream", { token: m.admin })).body).toMatchObject({
      tenantId: "ten_acme",
      name: "Upstream Co",
      kycStatus: "verified",
    });
  });
});

describe("buyer purchase policy", () => {
  it("stores allowed currencies and a cap per period, set by the tenant's org admin", async () => {
    const body = { allowedCurrencies: ["USD", "EUR"], cap: { amount: 500_000, currency: "USD", period: "month" } };
    const set = await m.call("PUT", "/api/v1/tenants/ten_acme/purchase-policy", { token: orgAdmin, body });
    expect(set.status).toBe(200);
    expect(set.body).toEqual({ tenantId: "ten_acme", allowedCurrencies: ["EUR", "USD"], cap: body.cap });
    expect((await m.call("GET", "/api/v1/tenants/ten_acme/purchase-policy", { token: m.admin })).body).toEqual(set.body);
    const cleared = await m.call("PUT", "/api/v1/tenants/ten_acme/purchase-policy", {
      token: orgAdmin,
      body: { allowedCurrencies: null, cap: null },
    });
    expect(cleared.body).toEqual({ tenantId: "ten_acme", allowedCurrencies: null, cap: null });
  });

  it("refuses unknown currencies and a cap outside the allowed currencies, writing nothing", async () => {
    const before = await count(m, "tenancy.purchase_policies");
    const cases: Array<[unknown, number, string]> = [
      [{ allowedCurrencies: ["USD", "ABC"], cap: null }, 400, "MONEY.CURRENCY_UNKNOWN"],
      [
        { allowedCurrencies: ["USD"], cap: { amount: 100, currency: "EUR", period: "year" } },
        400,
        "PURCHASE_POLICY.CAP_CURRENCY_NOT_ALLOWED",
      ],
      [{ allowedCurrencies: null, cap: { amount: 10.5, currency: "USD", period: "year" } }, 400, "REQUEST.VALIDATION_FAILED"],
      [{ allowedCurrencies: null, cap: { amount: 100, currency: "USD", period: "fortnight" } }, 400, "REQUEST.VALIDATION_FAILED"],
    ];
    for (const [body, status, code] of cases) {
      const response = await m.call("PUT", "/api/v1/tenants/ten_acme/purchase-policy", { token: m.admin, body });
      expect(response.status).toBe(status);
      expect(response.body.code).toBe(code);
    }
    const foreign = await m.t.token({ sub: "usr_x", tid: "ten_other", roles: ["org_admin"] });
    expect(
      (await m.call("PUT", "/api/v1/tenants/ten_acme/purchase-policy", { token: foreign, body: { allowedCurrencies: null, cap: null } }))
        .status,
    ).toBe(403);
    expect(await count(m, "tenancy.purchase_policies")).toBe(before);
  });
});
