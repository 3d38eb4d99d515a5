import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  addPlan,
  count,
  draftListing,
  liveListing,
  publishedEvents,
  readyVersion,
  startMarket,
  verifiedProvider,
  type Market,
} from "./marketplace-fixture.js";

let m: Market;
beforeAll(async () => {
  m = await startMarket();
  await verifiedProvider(m);
  await readyVersion(m, "crs_1", "cv_1");
});
afterAll(async () => m?.t.stop());

const rows = async () => ({
  plans: await count(m, "marketplace.plans"),
  versions: await count(m, "marketplace.plan_versions"),
  outbox: await count(m, "platform.outbox"),
});

describe("pricing plans", () => {
  it("creates each kind of plan at version 1", async () => {
    const listingId = await draftListing(m);
    for (const body of [
      { kind: "one_time", amount: 4900, currency: "USD", validityDays: 365 },
      { kind: "subscription", amount: 1500, currency: "EUR", interval: "month" },
      { kind: "seat_pack", amount: 250_000, currency: "GBP", seats: 50 },
      { kind: "site_license", amount: 1_000_000, currency: "JPY", perpetualOffline: true },
      { kind: "one_time", amount: 12_500, currency: "KWD" },
    ]) {
      expect(await addPlan(m, listingId, body)).toMatchObject({ planId: expect.stringMatching(/^pln_/), version: 1 });
    }
    const listing = await m.call("GET", `/api/v1/listings/${listingId}`, { token: m.provider });
    expect(listing.body.plans.map((p: any) => [p.kind, p.amount, p.currency, p.seats, p.interval])).toEqual([
      ["one_time", 4900, "USD", null, null],
      ["subscription", 1500, "EUR", null, "month"],
      ["seat_pack", 250_000, "GBP", 50, null],
      ["site_license", 1_000_000, "JPY", null, null],
      ["one_time", 12_500, "KWD", null, null],
    ]);
    expect(listing.body.plans[3].perpetualOffline).toBe(true);
    expect(listing.body.plans[0].validityDays).toBe(365);
  });

  it("re-pricing makes a new version and leaves the old one exactly as it was", async () => {
    const listingId = await liveListing(m);
    const { planId } = (await m.call("GET", `/api/v1/listings/${listingId}`)).body.plans[0];
    const before = await m.call("GET", `/api/v1/listings/${listingId}`);
    const v1 = before.body.plans[0].versions[0];

    m.t.clock.advance(60_000);
    const repriced = await m.call("POST", `/api/v1/listings/${listingId}/plans/${planId}/versions`, {
      token: m.provider,
      body: { amount: 3900, currency: "USD" },
    });
    expect(repriced.status).toBe(201);
    expect(repriced.body).toEqual({ planId, version: 2 });

    const after = await m.call("GET", `/api/v1/listings/${listingId}`);
    const plan = after.body.plans[0];
    expect(plan).toMatchObject({ planId, version: 2, amount: 3900 });
    expect(plan.versions).toHaveLength(2);
    expect(plan.versions[0]).toEqual(v1);
    expect(plan.versions[0].amount).toBe(4900);
    // The database refuses to rewrite a version, whoever asks.
    await expect(
      m.t.app.kernel.db.query(`UPDATE marketplace.plan_versions SET amount = 1 WHERE plan_id = $1 AND version = 1`, [planId]),
    ).rejects.toThrow(/immutable/);
  });

  it("publishes plan.versioned for version 1 and for each new version, matching the contract", async () => {
    const listingId = await draftListing(m);
    const { planId } = await addPlan(m, listingId, { kind: "seat_pack", amount: 90_000, currency: "EUR", seats: 20 });
    await m.call("POST", `/api/v1/listings/${listingId}/plans/${planId}/versions`, {
      token: m.provider,
      body: { amount: 80_000, currency: "EUR", seats: 25 },
    });
    const events = await publishedEvents(m, `aggregateId=${planId}`);
    expect(events.map((e) => e.payload)).toEqual([
      { listingId, planId, version: 1, kind: "seat_pack", amount: 90_000, currency: "EUR", seats: 20 },
      { listingId, planId, version: 2, kind: "seat_pack", amount: 80_000, currency: "EUR", seats: 25 },
    ]);
    for (const event of events) {
      expect(event.type).toBe("marketplace.plan.versioned.v1");
      expect(m.t.app.kernel.registry.validate(event.type, event.payload)).toEqual([]);
      expect(event.partitionKey).toBe(listingId);
    }
  });

  it("refuses an unknown currency, a fractional or negative amount, and terms that do not fit the kind, writing nothing", async () => {
    const listingId = await draftListing(m);
    const before = await rows();
    const cases: Array<[Record<string, unknown>, string, string]> = [
      [{ kind: "one_time", amount: 4900, currency: "XYZ" }, "MONEY.CURRENCY_UNKNOWN", "body/currency"],
      [{ kind: "one_time", amount: 4900, currency: "usd" }, "MONEY.CURRENCY_UNKNOWN", "body/currency"],
      [{ kind: "one_time", amount: 49.5, currency: "USD" }, "REQUEST.VALIDATION_FAILED", "body/amount"],
      [{ kind: "one_time", amount: "4900", currency: "USD" }, "REQUEST.VALIDATION_FAILED", "body/amount"],
      [{ kind: "one_time", amount: -1, currency: "USD" }, "REQUEST.VALIDATION_FAILED", "body/amount"],
      [{ kind: "seat_pack", amount: 100, currency: "USD" }, "PLAN.SEATS_REQUIRED", "body/seats"],
      [{ kind: "subscription", amount: 100, currency: "USD" }, "PLAN.INTERVAL_REQUIRED", "body/interval"],
      [{ kind: "one_time", amount: 100, currency: "USD", seats: 3 }, "PLAN.SEATS_NOT_ALLOWED", "body/seats"],
      [{ kind: "lifetime", amount: 100, currency: "USD" }, "REQUEST.VALIDATION_FAILED", "body/kind"],
    ];
    for (const [body, code, path] of cases) {
      const response = await m.call("POST", `/api/v1/listings/${listingId}/plans`, { token: m.provider, body });
      expect(response.status, JSON.stringify(body)).toBe(400);
      expect(response.headers["content-type"]).toContain("application/problem+json");
      expect(response.body.code).toBe(code);
      expect(response.body.errors.map((e: any) => e.path)).toContain(path);
    }
    expect(await rows()).toEqual(before);
  });

  it("refuses a bad re-pricing and keeps the plan at its version", async () => {
    const listingId = await draftListing(m);
    const { planId } = await addPlan(m, listingId);
    const before = await rows();
    const bad = await m.call("POST", `/api/v1/listings/${listingId}/plans/${planId}/versions`, {
      token: m.provider,
      body: { amount: 10.25, currency: "USD" },
    });
    expect(bad.status).toBe(400);
    const unknown = await m.call("POST", `/api/v1/listings/${listingId}/plans/${planId}/versions`, {
      token: m.provider,
      body: { amount: 1000, currency: "ABC" },
    });
    expect(unknown.body.code).toBe("MONEY.CURRENCY_UNKNOWN");
    const missing = await m.call("POST", `/api/v1/listings/${listingId}/plans/pln_nope/versions`, {
      token: m.provider,
      body: { amount: 1000, currency: "USD" },
    });
    expect(missing.status).toBe(404);
    expect(missing.body.code).toBe("PLAN.NOT_FOUND");
    expect(await rows()).toEqual(before);
    expect((await m.call("GET", `/api/v1/listings/${listingId}`, { token: m.provider })).body.plans[0].version).toBe(1);
  });

  it("returns the first answer when a plan creation is retried with the same Idempotency-Key", async () => {
    const listingId = await draftListing(m);
    const send = () =>
      m.call("POST", `/api/v1/listings/${listingId}/plans`, {
        token: m.provider,
        body: { kind: "one_time", amount: 100, currency: "USD" },
        headers: { "idempotency-key": "plan-1" },
      });
    const first = await send();
    const second = await send();
    expect(second.status).toBe(201);
    expect(second.body).toEqual(first.body);
    expect((await m.call("GET", `/api/v1/listings/${listingId}`, { token: m.provider })).body.plans).toHaveLength(1);
  });
});
