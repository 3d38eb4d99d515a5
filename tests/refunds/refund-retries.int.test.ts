import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { MarketplacePorts } from "../../src/contexts/marketplace/ports.js";
import { flow, openShop, order, sys, type Shop } from "../orders/purchase-support.js";
import { onPostgres } from "../support/test-app.js";
import { assignSeats, fulfilled, refund, refundableOffer, waitFor } from "./refund-support.js";

let shop: Shop;
let failures = 0;
let billingCalls = 0;

beforeAll(async () => {
  shop = await openShop({
    wiring: {
      marketplace: (ports: MarketplacePorts) => ({
        ...ports,
        payments: {
          ...ports.payments,
          // Billing falls over once (after doing its work, so the savepoint must undo it), then answers.
          refund: async (tx, request) => {
            billingCalls++;
            const outcome = await ports.payments.refund(tx, request);
            if (failures-- > 0) throw new Error("billing unavailable");
            return outcome;
          },
        },
      }),
    },
  });
});
afterAll(() => shop?.t.stop());

describe("refund saga under failures and races", () => {
  it("retries a refund whose billing call failed, then completes it with one credit", async () => {
    const offer = await refundableOffer(shop, { kind: "one_time", amount: 2700, currency: "USD" });
    const bought = await fulfilled(shop, offer);
    failures = 1;
    billingCalls = 0;
    const response = await refund(shop, bought.orderId, { reason: "billing hiccup" });
    expect(response.status, JSON.stringify(response.body)).toBe(202);
    expect(response.body.status).toBe("refund_pending");
    expect((await order(shop, bought.orderId)).status).toBe("refund_pending");
    // Nothing of billing's failed attempt stayed behind.
    const refundsOf = () =>
      sys(
        shop,
        `SELECT r.amount::int, r.status FROM billing.payment_refunds r JOIN billing.payment_intents p ON p.payment_id = r.payment_id WHERE p.order_id = $1`,
        [bought.orderId],
      );
    expect(await refundsOf()).toEqual([]);

    shop.t.clock.advance(1_000); // the saga's retry deadline
    await waitFor(async () => (await order(shop, bought.orderId)).status === "refunded");
    expect(billingCalls).toBe(2);
    expect(await refundsOf()).toEqual([{ amount: 2700, status: "succeeded" }]);
    const events = await flow(shop, bought.orderId);
    expect(events.filter((e) => e.type === "billing.payment.refunded.v1")).toHaveLength(1);
    expect(events.filter((e) => e.type === "marketplace.order.refunded.v1")).toHaveLength(1);
    const view = await order(shop, bought.orderId);
    expect(view.licenseIds).toHaveLength(1);
    const steps = await sys(shop, `SELECT input, to_status FROM platform.saga_steps WHERE saga_id = $1 ORDER BY seq`, [
      response.body.refundId,
    ]);
    expect(steps.map((s) => `${s.input}→${s.to_status}`)).toEqual([
      "RefundRequested→awaiting_money",
      "BillingErrored→awaiting_money",
      "MoneyDeadlinePassed→awaiting_money",
      "MoneyReturned→refunded",
    ]);
    const again = await refund(shop, bought.orderId, { reason: "billing hiccup" });
    expect(again.body).toMatchObject({ refundId: response.body.refundId, status: "refunded" });
    expect(await refundsOf()).toHaveLength(1);
  });

  it.runIf(onPostgres)("a refund racing a seat assignment: either the seat or the refund wins, never both", async () => {
    const offer = await refundableOffer(shop, { kind: "seat_pack", amount: 100, currency: "USD", seats: 1 });
    const outcomes = { seatWon: 0, refundWon: 0 };
    for (let round = 0; round < 6; round++) {
      const bought = await fulfilled(shop, offer, { token: shop.orgAdmin, quantity: 2 });
      const licenseId = bought.licenseIds[0];
      const first = await assignSeats(shop, licenseId, [`usr_race_${round}_a`]);
      expect(first.status, JSON.stringify(first.body)).toBeLessThan(300);
      // One seat is left: the refund wants it (all unassigned seats), so does the assignment.
      const [refunded, seat] = await Promise.all([
        refund(shop, bought.orderId, { reason: "race" }, { token: shop.orgAdmin }),
        assignSeats(shop, licenseId, [`usr_race_${round}_b`]),
      ]);
      const [license] = await sys(shop, `SELECT seat_total, seats_assigned, state FROM marketplace.licenses WHERE license_id = $1`, [
        licenseId,
      ]);
      if (refunded.status === 202) {
        expect(refunded.body.refund.seats).toBe(1);
        expect(seat.status).toBe(409);
        expect(license).toMatchObject({ seat_total: 1, seats_assigned: 1, state: "active" });
        outcomes.refundWon++;
      } else {
        expect(refunded.status).toBe(409);
        expect(refunded.body.code).toBe("REFUND.SEATS_CONSUMED");
        expect(seat.status).toBeLessThan(300);
        expect(license).toMatchObject({ seat_total: 2, seats_assigned: 2, state: "active" });
        outcomes.seatWon++;
      }
    }
    expect(outcomes.seatWon + outcomes.refundWon).toBe(6);
  });
});
