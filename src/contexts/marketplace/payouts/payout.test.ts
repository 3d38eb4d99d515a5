import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { revenueByLine } from "../revenue/revenue-share.domain.js";
import { decideRefund, type RefundableLine } from "../refunds/refund.domain.js";
import { periodFor, planPayout, type UnpaidEntry } from "./payout.domain.js";

describe("payout periods", () => {
  it("a weekly run pays the ISO week ending at or before periodEnd (Monday 00:00 UTC)", () => {
    expect(periodFor("weekly", new Date("2026-03-18T15:00:00Z"))).toEqual({
      start: new Date("2026-03-09T00:00:00Z"),
      end: new Date("2026-03-16T00:00:00Z"),
    });
    expect(periodFor("weekly", new Date("2026-03-16T00:00:00Z"))).toEqual({
      start: new Date("2026-03-09T00:00:00Z"),
      end: new Date("2026-03-16T00:00:00Z"),
    });
    expect(periodFor("weekly", new Date("2026-03-15T23:59:59Z")).end).toEqual(new Date("2026-03-09T00:00:00Z"));
    expect(periodFor("monthly", new Date("2026-03-18T15:00:00Z"))).toEqual({
      start: new Date("2026-02-01T00:00:00Z"),
      end: new Date("2026-03-01T00:00:00Z"),
    });
  });
});

describe("payout plan", () => {
  const entry = (providerId: string, orderId: string, providerAmount: number, currency = "USD"): UnpaidEntry => ({
    entryId: `ern_${providerId}_${orderId}_${providerAmount}`,
    providerId,
    currency,
    orderId,
    providerAmount,
  });

  it("nets reversals per order, holds balances below the minimum and providers without KYC", () => {
    const plan = planPayout(
      [
        entry("prv_a", "ord_1", 4_165),
        entry("prv_a", "ord_2", 850),
        entry("prv_a", "ord_2", -850),
        entry("prv_b", "ord_3", 500),
        entry("prv_c", "ord_4", 9_000),
        entry("prv_a", "ord_5", 2_000, "EUR"),
      ],
      { minimumAmount: 1_000, kycVerified: (p) => p !== "prv_c" },
    );
    expect(plan.batches).toEqual([
      {
        providerId: "prv_a",
        currency: "EUR",
        amount: 2_000,
        lines: [{ orderId: "ord_5", amount: 2_000 }],
        entryIds: ["ern_prv_a_ord_5_2000"],
      },
      expect.objectContaining({
        providerId: "prv_a",
        currency: "USD",
        amount: 4_165,
        lines: [
          { orderId: "ord_1", amount: 4_165 },
          { orderId: "ord_2", amount: 0 },
        ],
      }),
    ]);
    expect(plan.held).toEqual([
      { providerId: "prv_b", currency: "USD", amount: 500, reason: "BELOW_MINIMUM" },
      { providerId: "prv_c", currency: "USD", amount: 9_000, reason: "KYC_NOT_VERIFIED" },
    ]);
  });

  it("property: payout lines + carried-over balances + platform share + refunds = what buyers paid, to the minor unit", () => {
    const lineArb = fc.record({
      kind: fc.constantFrom("one_time" as const, "seat_pack" as const),
      unit: fc.integer({ min: 0, max: 100_000 }),
      quantity: fc.integer({ min: 1, max: 40 }),
      provider: fc.constantFrom("prv_a", "prv_b", "prv_c"),
    });
    const orderArb = fc.record({
      lines: fc.array(lineArb, { minLength: 1, maxLength: 3 }),
      couponPercent: fc.option(fc.integer({ min: 1, max: 100 }), { nil: null }),
      refund: fc.option(fc.record({ assigned: fc.nat(), seats: fc.option(fc.nat(), { nil: null }) }), { nil: null }),
    });
    fc.assert(
      fc.property(fc.array(orderArb, { minLength: 1, maxLength: 8 }), fc.integer({ min: 0, max: 50_000 }), (orders, minimumAmount) => {
        let paid = 0;
        let refunded = 0;
        let platform = 0;
        const entries: UnpaidEntry[] = [];
        orders.forEach((o, n) => {
          const orderId = `ord_${n}`;
          const lines = o.lines.map((l) => ({
            ...l,
            quantity: l.kind === "one_time" ? 1 : l.quantity,
            amount: l.unit * (l.kind === "one_time" ? 1 : l.quantity),
          }));
          const subtotal = lines.reduce((s, l) => s + l.amount, 0);
          const discount = o.couponPercent === null ? 0 : Math.floor((subtotal * o.couponPercent) / 100);
          const total = subtotal - discount;
          paid += total;
          const sales = revenueByLine(
            lines.map((l, i) => ({ providerId: l.provider, listingId: `lst_${i}`, amount: l.amount })),
            discount,
          );
          sales.forEach((s, i) => {
            platform += s.platformFee;
            entries.push({
              entryId: `ern_${orderId}_${i}_sale`,
              providerId: s.providerId,
              currency: "USD",
              orderId,
              providerAmount: s.providerAmount,
            });
          });
          if (o.refund) {
            const seatLines = lines.filter((l) => l.kind === "seat_pack").length;
            const refundable: RefundableLine[] = lines.map((l, i) => ({
              line: i,
              kind: l.kind,
              quantity: l.quantity,
              sale: sales[i]!,
              license: {
                licenseId: `lcn_${i}`,
                state: "active",
                seatTotal: l.quantity,
                seatsAssigned: l.kind === "seat_pack" ? o.refund!.assigned % l.quantity : 0,
                consumed: false,
              },
            }));
            const decided = decideRefund({
              order: { status: "fulfilled", total, tax: 0, taxInclusive: false, currency: "USD", refundDeadline: new Date(1_000) },
              lines: refundable,
              now: new Date(0),
              ...(o.refund.seats !== null && seatLines === 1 ? { seats: 1 + (o.refund.seats % 40) } : {}),
            });
            if (decided.ok) {
              refunded += decided.value.amount;
              for (const line of decided.value.lines) {
                expect(line.reversal.gross).toBe(line.reversal.platformFee + line.reversal.providerAmount);
                platform += line.reversal.platformFee;
                entries.push({
                  entryId: `ern_${orderId}_${line.line}_rev`,
                  providerId: sales[line.line]!.providerId,
                  currency: "USD",
                  orderId,
                  providerAmount: line.reversal.providerAmount,
                });
              }
              expect(decided.value.amount).toBeLessThanOrEqual(total);
            }
          }
        });
        const plan = planPayout(entries, { minimumAmount, kycVerified: (p) => p !== "prv_c" });
        const paidOut = plan.batches.reduce((s, b) => s + b.lines.reduce((t, l) => t + l.amount, 0), 0);
        for (const b of plan.batches) expect(b.lines.reduce((t, l) => t + l.amount, 0)).toBe(b.amount);
        const carried = plan.held.reduce((s, h) => s + h.amount, 0);
        expect(paidOut + carried + platform + refunded).toBe(paid);
        expect(plan.batches.every((b) => b.amount >= Math.max(minimumAmount, 1) && b.providerId !== "prv_c")).toBe(true);
      }),
      { numRuns: 60 },
    );
  });
});
