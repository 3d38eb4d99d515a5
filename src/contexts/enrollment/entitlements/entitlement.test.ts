import { describe, expect, it } from "vitest";
import { entitlementOf, type EntitlementFacts } from "./entitlement.domain.js";
import { EntitlementCache } from "./entitlement-cache.js";

const now = new Date("2026-03-01T09:00:00Z");
const facts = (o: Partial<EntitlementFacts> = {}): EntitlementFacts => ({
  enrollmentId: "enr_1",
  licenseId: "lcn_1",
  mode: "verified",
  status: "active",
  expiresAt: null,
  offline: false,
  offlineUntil: null,
  holdReason: null,
  ...o,
});

describe("entitlement", () => {
  it("entitles an active enrollment and says so with its license and mode", () => {
    expect(entitlementOf(facts(), now)).toEqual({
      entitled: true,
      enrollmentId: "enr_1",
      licenseId: "lcn_1",
      mode: "verified",
      offline: false,
    });
  });
  it("does not entitle without an enrollment, after revocation, or once the end date passed", () => {
    expect(entitlementOf(undefined, now)).toEqual({ entitled: false, offline: false });
    expect(entitlementOf(facts({ status: "revoked" }), now).entitled).toBe(false);
    expect(entitlementOf(facts({ expiresAt: now }), now).entitled).toBe(false);
  });
  it("does not entitle a held enrollment, and says why; an ended one is just not entitled", () => {
    expect(entitlementOf(facts({ holdReason: "subscription_suspended", offline: true }), now)).toEqual({
      entitled: false,
      offline: false,
      reason: "subscription_suspended",
    });
    expect(entitlementOf(facts({ holdReason: "subscription_suspended", expiresAt: now }), now)).toEqual({
      entitled: false,
      offline: false,
    });
  });
  it("allows offline play only while offlineUntil lies ahead", () => {
    expect(entitlementOf(facts({ offline: true }), now).offline).toBe(true);
    expect(entitlementOf(facts({ offline: true, offlineUntil: new Date(now.getTime() - 1) }), now).offline).toBe(false);
  });
});

describe("entitlement cache", () => {
  it("serves within the TTL, forgets after it, and drops a user's keys on invalidation", () => {
    const cache = new EntitlementCache(1000);
    cache.set("ten_1", "usr_1", "crs_1", facts(), 0, cache.generation("usr_1"));
    expect(cache.get("ten_1", "usr_1", "crs_1", 999)?.facts?.enrollmentId).toBe("enr_1");
    expect(cache.get("ten_1", "usr_1", "crs_1", 1000)).toBeUndefined();
    cache.set("ten_1", "usr_1", "crs_1", facts(), 0, cache.generation("usr_1"));
    cache.invalidate(["usr_1"]);
    expect(cache.get("ten_1", "usr_1", "crs_1", 1)).toBeUndefined();
  });
  it("does not store a read that raced with an invalidation", () => {
    const cache = new EntitlementCache(1000);
    const generation = cache.generation("usr_1");
    cache.invalidate(["usr_1"]);
    cache.set("ten_1", "usr_1", "crs_1", facts(), 0, generation);
    expect(cache.get("ten_1", "usr_1", "crs_1", 1)).toBeUndefined();
  });
});
