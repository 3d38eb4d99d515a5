import { describe, expect, it } from "vitest";
import { decideKyc, decideRegistration } from "./provider.domain.js";

describe("provider KYC", () => {
  it("announces only the move into verified", () => {
    expect(decideKyc("pending", "verified")).toEqual({ ok: true, value: { status: "verified", announceVerified: true } });
    expect(decideKyc("pending", "rejected")).toEqual({ ok: true, value: { status: "rejected", announceVerified: false } });
    expect(decideKyc("rejected", "verified")).toEqual({ ok: true, value: { status: "verified", announceVerified: true } });
  });
  it("treats setting the same status again as nothing to do", () => {
    expect(decideKyc("verified", "verified")).toEqual({ ok: true, value: null });
  });
  it("lets a provider first seen in a KYC event be registered once", () => {
    expect(decideRegistration(null)).toEqual({ ok: true, value: "insert" });
    expect(decideRegistration({ tenantId: null })).toEqual({ ok: true, value: "claim" });
    const again = decideRegistration({ tenantId: "ten_1" });
    expect(again.ok ? "accepted" : again.rejection.code).toBe("PROVIDER.ALREADY_EXISTS");
  });
});
