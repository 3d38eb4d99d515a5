import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openShop, sys, type Shop } from "../orders/purchase-support.js";
import { DAY_MS, fulfilled, refund, refundableOffer } from "../refunds/refund-support.js";

let shop: Shop;
beforeAll(async () => {
  shop = await openShop();
});
afterAll(() => shop?.t.stop());

const run = (body: Record<string, unknown> = {}, token = shop.admin) => shop.http("POST", "/api/v1/payouts/runs", { token, body });
const earnings = (providerId: string, token = shop.admin) => shop.http("GET", `/api/v1/providers/${providerId}/earnings`, { token });

describe("payouts", () => {
  it("pays matured earnings net of refunds in one batch per provider, idempotent per period; the money adds up to the minor unit", async () => {
    // The clock starts on Sunday 2026-03-01 09:00 UTC; 14-day policies mature on Sunday 03-15 09:00.
    const oneTime = await refundableOffer(shop, { kind: "one_time", amount: 4_900, currency: "USD" });
    const pack = await refundableOffer(shop, { kind: "seat_pack", amount: 1_000, currency: "USD", seats: 1 });
    const coupon = await shop.http("POST", "/api/v1/coupons", { token: shop.admin, body: { code: "PAY13", percentOff: 13 } });
    expect(coupon.status).toBe(201);
    const orders = [
      await fulfilled(shop, oneTime),
      await fulfilled(shop, oneTime, { couponCode: "PAY13" }),
      await fulfilled(shop, pack, { token: shop.orgAdmin, quantity: 7 }),
      await fulfilled(shop, oneTime),
    ];
    const seats = await shop.http("POST", `/api/v1/licenses/${orders[2]!.licenseIds[0]}/seats`, {
      token: shop.orgAdmin,
      body: { userIds: ["usr_p1", "usr_p2"] },
    });
    expect(seats.status).toBeLessThan(300);
    await shop.t.settle();
    expect((await refund(shop, orders[2]!.orderId, { reason: "fewer seats" }, { token: shop.orgAdmin })).body.refund).toEqual({
      amount: 5_000,
      currency: "USD",
      seats: 5,
    });
    expect((await refund(shop, orders[3]!.orderId)).body.status).toBe("refunded");

    const before = await earnings("prv_1", shop.provider);
    expect(before.status).toBe(200);
    expect(before.body.balances[0]).toMatchObject({ currency: "USD", matured: 0, paid: 0 });
    expect(before.body.balances[0].pending).toBeGreaterThan(0);

    const notYet = await run({ periodEnd: "2026-03-30T00:00:00.000Z" });
    expect(notYet.status).toBe(422);
    expect(notYet.body.code).toBe("PAYOUT.PERIOD_NOT_ENDED");

    shop.t.clock.set(new Date("2026-03-17T10:00:00.000Z"));
    const first = await run();
    expect(first.status, JSON.stringify(first.body)).toBe(201);
    expect(first.body).toMatchObject({
      schedule: "weekly",
      periodStart: "2026-03-09T00:00:00.000Z",
      periodEnd: "2026-03-16T00:00:00.000Z",
      minimumAmount: 1_000,
      held: [],
    });
    expect(first.body.batches).toHaveLength(1);
    const batch = first.body.batches[0];
    expect(batch).toMatchObject({ providerId: "prv_1", currency: "USD", status: "recorded" });
    expect(batch.lines.map((l: any) => l.orderId).sort()).toEqual(orders.map((o) => o.orderId).sort());
    expect(batch.lines.find((l: any) => l.orderId === orders[3]!.orderId).amount).toBe(0); // refunded in full: sale and reversal net out

    // Payout lines + platform share + refunds = what the buyers paid.
    const [totals] = await sys(shop, `SELECT sum(total)::int AS paid FROM marketplace.orders WHERE order_id = ANY($1::text[])`, [
      orders.map((o) => o.orderId),
    ]);
    const [fees] = await sys(shop, `SELECT sum(platform_fee)::int AS platform FROM marketplace.earnings WHERE order_id = ANY($1::text[])`, [
      orders.map((o) => o.orderId),
    ]);
    const [refunds] = await sys(
      shop,
      `SELECT sum(amount)::int AS refunded FROM marketplace.refunds WHERE status = 'refunded' AND order_id = ANY($1::text[])`,
      [orders.map((o) => o.orderId)],
    );
    const lines = batch.lines.reduce((sum: number, l: any) => sum + l.amount, 0);
    expect(lines).toBe(batch.amount);
    expect(lines + fees!.platform + refunds!.refunded).toBe(totals!.paid);

    const unpaid = await sys(
      shop,
      `SELECT count(*)::int AS n FROM marketplace.earnings WHERE order_id = ANY($1::text[]) AND payout_id IS NULL`,
      [orders.map((o) => o.orderId)],
    );
    expect(unpaid).toEqual([{ n: 0 }]);
    const [recorded] = await sys<{ envelope: any }>(
      shop,
      `SELECT envelope FROM platform.outbox WHERE type = 'marketplace.payout.batch_recorded.v1'`,
    );
    expect(recorded!.envelope.payload).toMatchObject({
      payoutRunId: first.body.payoutRunId,
      providerId: "prv_1",
      amount: batch.amount,
      currency: "USD",
      periodEnd: "2026-03-16T00:00:00.000Z",
    });
    expect(shop.t.app.kernel.registry.validate(recorded!.envelope.type, recorded!.envelope.payload)).toEqual([]);

    const again = await run({ periodEnd: "2026-03-17T23:00:00.000Z" });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ payoutRunId: first.body.payoutRunId, replayed: true, batches: first.body.batches });

    const after = await earnings("prv_1", shop.provider);
    expect(after.body.balances).toEqual([{ currency: "USD", pending: 0, matured: 0, paid: batch.amount }]);
    const stranger = await shop.t.token({ sub: "usr_p9", tid: "ten_prov", roles: ["provider"], pid: "prv_9" });
    expect((await earnings("prv_1", stranger)).status).toBe(403);
  });

  it("carries over balances below the minimum and holds providers without verified KYC", async () => {
    const offer = await refundableOffer(shop, { kind: "one_time", amount: 900, currency: "USD" }, 1);
    const small = await fulfilled(shop, offer);
    // A provider whose KYC was never verified, with a matured entry of its own.
    await sys(
      shop,
      `INSERT INTO marketplace.earnings (entry_id, provider_id, order_id, line, kind, gross, platform_fee, provider_amount, currency, matures_at, created_at)
                     VALUES ('ern_nokyc', 'prv_nokyc', $1, 99, 'sale', 20000, 3000, 17000, 'USD', $2, $2)`,
      [small.orderId, shop.t.clock.now()],
    );
    shop.t.clock.advance(7 * DAY_MS);
    const held = await run();
    expect(held.status, JSON.stringify(held.body)).toBe(201);
    expect(held.body.batches).toEqual([]);
    expect(held.body.held).toEqual([
      { providerId: "prv_1", currency: "USD", amount: 765, reason: "BELOW_MINIMUM" },
      { providerId: "prv_nokyc", currency: "USD", amount: 17_000, reason: "KYC_NOT_VERIFIED" },
    ]);
    expect((await earnings("prv_1")).body.balances[0]).toMatchObject({ matured: 765 });

    shop.t.clock.advance(7 * DAY_MS);
    const next = await run({ minimumAmount: 500 });
    expect(next.body.batches).toMatchObject([{ providerId: "prv_1", amount: 765, lines: [{ orderId: small.orderId, amount: 765 }] }]);
    expect(next.body.held).toEqual([{ providerId: "prv_nokyc", currency: "USD", amount: 17_000, reason: "KYC_NOT_VERIFIED" }]);
  });

  it("is for platform admins only", async () => {
    expect((await run({}, shop.provider)).status).toBe(403);
  });
});
