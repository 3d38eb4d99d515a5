import { describe, expect, it } from "vitest";
import { codeOf, givenWhenThen } from "../../../platform/testing/given-when-then.js";
import { decideKyc, decideRegistration } from "./provider.domain.js";

const given = givenWhenThen(decideKyc);

describe("provider KYC", () => {
  it("announces only the move into verified", () => {
    given("pending")
      .when("verified")
      .then((result) => expect(result).toEqual({ ok: true, value: { status: "verified", announceVerified: true } }));
    given("pending")
      .when("rejected")
      .then((result) => expect(result).toEqual({ ok: true, value: { status: "rejected", announceVerified: false } }));
    given("rejected")
      .when("verified")
      .then((result) => expect(result).toEqual({ ok: true, value: { status: "verified", announceVerified: true } }));
  });
  it("treats setting the same status again as nothing to do", () => {
    given("verified")
      .when("verified")
      .then((result) => expect(result).toEqual({ ok: true, value: null }));
  });
  it("lets a provider first seen in a KYC event be registered once", () => {
    expect(decideRegistration(null)).toEqual({ ok: true, value: "insert" });
    expect(decideRegistration({ tenantId: null })).toEqual({ ok: true, value: "claim" });
    expect(codeOf(decideRegistration({ tenantId: "ten_1" }))).toBe("PROVIDER.ALREADY_EXISTS");
  });
});
