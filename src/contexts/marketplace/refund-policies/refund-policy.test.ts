import { describe, expect, it } from "vitest";
import { codeOf, givenWhenThen } from "../../../platform/testing/given-when-then.js";
import { decideAttach, decideDeprecate, decideUpdate, type RefundPolicy } from "./refund-policy.domain.js";

const active: RefundPolicy = { id: "rfp_1", name: "14 days", type: "full", refundPeriodDays: 14, status: "active" };
const deprecated: RefundPolicy = { ...active, status: "deprecated" };
const given = givenWhenThen(decideUpdate);

describe("refund policy", () => {
  it("updates only the fields given", () => {
    given(active)
      .when({ refundPeriodDays: 30 })
      .then((result) => expect(result).toEqual({ ok: true, value: { ...active, refundPeriodDays: 30 } }));
  });
  it("deprecates an active policy once", () => {
    expect(decideDeprecate(active)).toEqual({ ok: true, value: deprecated });
    expect(codeOf(decideDeprecate(deprecated))).toBe("REFUND_POLICY.DEPRECATED");
  });
  it("refuses to change or attach a deprecated policy", () => {
    given(deprecated)
      .when({ name: "x" })
      .then((result) => expect(codeOf(result)).toBe("REFUND_POLICY.DEPRECATED"));
    expect(codeOf(decideAttach(deprecated))).toBe("REFUND_POLICY.DEPRECATED");
    expect(decideAttach(active).ok).toBe(true);
  });
});
