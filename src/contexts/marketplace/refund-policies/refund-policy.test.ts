import { describe, expect, it } from "vitest";
import { decideAttach, decideDeprecate, decideUpdate, type RefundPolicy } from "./refund-policy.domain.js";

const active: RefundPolicy = { id: "rfp_1", name: "14 days", type: "full", refundPeriodDays: 14, status: "active" };
const deprecated: RefundPolicy = { ...active, status: "deprecated" };
const codeOf = (result: { ok: boolean; rejection?: { code: string } }) => (result.ok ? "accepted" : result.rejection!.code);

describe("refund policy", () => {
  it("updates only the fields given", () => {
    expect(decideUpdate(active, { refundPeriodDays: 30 })).toEqual({ ok: true, value: { ...active, refundPeriodDays: 30 } });
  });
  it("deprecates an active policy once", () => {
    expect(decideDeprecate(active)).toEqual({ ok: true, value: deprecated });
    expect(codeOf(decideDeprecate(deprecated))).toBe("REFUND_POLICY.DEPRECATED");
  });
  it("refuses to change or attach a deprecated policy", () => {
    expect(codeOf(decideUpdate(deprecated, { name: "x" }))).toBe("REFUND_POLICY.DEPRECATED");
    expect(codeOf(decideAttach(deprecated))).toBe("REFUND_POLICY.DEPRECATED");
    expect(decideAttach(active).ok).toBe(true);
  });
});
