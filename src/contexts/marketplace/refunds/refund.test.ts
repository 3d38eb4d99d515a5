import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { allocate } from "../../../platform/money.js";
import { splitRevenue } from "../revenue/revenue-share.domain.js";
import { decideOutsideRefund, decideRefund, proRata, reversalOf, type RefundFacts, type RefundableLine } from "./refund.domain.js";

const now = new Date("2026-03-10T00:00:00Z");
const deadline = new Date("2026-03-15T00:00:00Z");

function seatPack(quantity: number, assigned: number, gross: number): RefundableLine {
  return {
    line: 0,
    kind: "seat_pack",
    quantity,
    sale: splitRevenue(gross),
    license: { licenseId: "lcn_1", state: "active", seatTotal: quantity, seatsAssigned: assigned, consumed: false },
  };
}
const facts = (lines: RefundableLine[], extra: Partial<RefundFacts> = {}): RefundFacts => ({
  order: {
    status: "fulfilled",
    total: lines.reduce((s, l) => s + l.sale.gross, 0),
    tax: 0,
    taxInclusive: false,
    currency: "USD",
    refundDeadline: deadline,
  },
  lines,
  now,
  ...extra,
});

describe("refund policy", () => {
  it("given the deadline has passed (even by a second), then REFUND.WINDOW_CLOSED", () => {
    const f = facts([seatPack(1, 0, 100)]);
    expect(decideRefund({ ...f, now: new Date(deadline.getTime() + 1_000) })).toMatchObject({
      ok: false,
      rejection: { code: "REFUND.WINDOW_CLOSED" },
    });
    expect(decideRefund({ ...f, now: new Date(deadline.getTime() - 1_000) }).ok).toBe(true);
  });

  it("given an order that is not fulfilled or has no policy, then REFUND.NOT_REFUNDABLE", () => {
    const f = facts([seatPack(1, 0, 100)]);
    expect(decideRefund({ ...f, order: { ...f.order, status: "enrolling" } })).toMatchObject({
      ok: false,
      rejection: { code: "REFUND.NOT_REFUNDABLE" },
    });
    expect(decideRefund({ ...f, order: { ...f.order, refundDeadline: null } })).toMatchObject({
      ok: false,
      rejection: { code: "REFUND.NOT_REFUNDABLE" },
    });
  });

  it("given 3 of 10 seats assigned, then only the 7 unassigned seats are refunded, pro rata", () => {
    const plan = decideRefund(facts([seatPack(10, 3, 9_999)]));
    expect(plan).toMatchObject({
      ok: true,
      value: { amount: 6_999, seatsRefunded: 7, partial: true, lines: [{ seatsRefunded: 7, revokesLicense: false }] },
    });
    expect(decideRefund(facts([seatPack(10, 3, 9_999)], { seats: 8 }))).toMatchObject({
      ok: false,
      rejection: { code: "REFUND.SEATS_CONSUMED" },
    });
    expect(decideRefund(facts([seatPack(10, 10, 9_999)]))).toMatchObject({ ok: false, rejection: { code: "REFUND.SEATS_CONSUMED" } });
  });

  it("given a completed one-time purchase, then REFUND.SEATS_CONSUMED", () => {
    const line: RefundableLine = {
      line: 0,
      kind: "one_time",
      quantity: 1,
      sale: splitRevenue(4_900),
      license: { licenseId: "lcn_1", state: "active", seatTotal: 1, seatsAssigned: 0, consumed: true },
    };
    expect(decideRefund(facts([line]))).toMatchObject({ ok: false, rejection: { code: "REFUND.SEATS_CONSUMED" } });
  });

  it("refunds exclusive tax with the lines", () => {
    const line: RefundableLine = {
      line: 0,
      kind: "one_time",
      quantity: 1,
      sale: splitRevenue(10_000),
      license: { licenseId: "lcn_1", state: "active", seatTotal: 1, seatsAssigned: 0, consumed: false },
    };
    const f = facts([line]);
    const plan = decideRefund({ ...f, order: { ...f.order, tax: 1_900, total: 11_900 } });
    expect(plan).toMatchObject({ ok: true, value: { amount: 11_900, partial: false } });
  });

  it("property: a refund is the seats' share of the total, reversals keep gross = fee + provider, and refunding in full reverses exactly", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 500 }), fc.integer({ min: 0, max: 10_000_000 }), fc.nat(), (quantity, gross, pick) => {
        const seats = 1 + (pick % quantity);
        const sale = splitRevenue(gross);
        const reversal = reversalOf(sale, seats, quantity);
        expect(reversal.gross).toBe(reversal.platformFee + reversal.providerAmount);
        expect(-reversal.gross || 0).toBe(allocate(gross, [seats, quantity - seats])[0]);
        expect(-reversal.gross || 0).toBe(proRata(gross, seats, quantity));
        expect(reversalOf(sale, quantity, quantity)).toEqual({
          gross: -sale.gross || 0,
          platformFee: -sale.platformFee || 0,
          providerAmount: -sale.providerAmount || 0,
        });
        expect(Math.abs(reversal.platformFee)).toBeLessThanOrEqual(sale.platformFee);
        expect(Math.abs(reversal.providerAmount)).toBeLessThanOrEqual(sale.providerAmount);
      }),
      { numRuns: 200 },
    );
  });
});

describe("money returned outside the refund saga", () => {
  const paid = { amount: 4900, refundedAmount: 4900 };
  it("refunds a fulfilled order whose payment came back whole, and only that", () => {
    expect(decideOutsideRefund({ ours: false, orderStatus: "fulfilled", payment: paid })).toBe("full");
    expect(decideOutsideRefund({ ours: false, orderStatus: "fulfilled", payment: { amount: 4900, refundedAmount: 1000 } })).toBe("partial");
    expect(decideOutsideRefund({ ours: true, orderStatus: "fulfilled", payment: paid })).toBe("none");
    expect(decideOutsideRefund({ ours: false, orderStatus: "refund_pending", payment: paid })).toBe("later");
    for (const status of ["refunded", "failed", "enrolling"])
      expect(decideOutsideRefund({ ours: false, orderStatus: status, payment: paid })).toBe("none");
    expect(decideOutsideRefund({ ours: false, orderStatus: "fulfilled", payment: null })).toBe("none");
  });
});
