import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expireDueLicenses } from "../../src/contexts/marketplace/licenses/expire-licenses.js";
import { openShop, sys, type Shop } from "../orders/purchase-support.js";
import { assign, license, seatPack } from "./seats-support.js";

const DAY = 86_400_000;
let shop: Shop;
beforeAll(async () => {
  shop = await openShop();
});
afterAll(() => shop?.t.stop());

const expiredEvents = (licenseId: string) =>
  sys<{ envelope: any }>(shop, `SELECT envelope FROM platform.outbox WHERE type = 'marketplace.license.expired.v1' AND aggregate_id = $1`, [
    licenseId,
  ]);

describe("license expiry", () => {
  it("expires a license at its valid_until by the clock, publishes expired once, and refuses new seats after", async () => {
    const pack = await seatPack(shop, 5, { validityDays: 30 });
    const perpetual = await seatPack(shop, 5);
    const granted = await license(shop, pack.licenseId);
    const validUntil = Date.parse(granted.validUntil);
    expect(validUntil - Date.parse(granted.validFrom)).toBe(30 * DAY);
    expect((await assign(shop, pack.licenseId, ["usr_early"])).status).toBe(201);

    shop.t.clock.advance(validUntil - shop.t.clock.now().getTime() - 1);
    expect(await expireDueLicenses(shop.t.app.kernel)).toBe(0);
    expect((await license(shop, pack.licenseId)).state).toBe("active");

    shop.t.clock.advance(1);
    // The background poller may win the race; either way it happens once.
    await Promise.all([expireDueLicenses(shop.t.app.kernel), expireDueLicenses(shop.t.app.kernel)]);
    expect(await expireDueLicenses(shop.t.app.kernel)).toBe(0);
    await shop.t.settle();
    expect((await license(shop, pack.licenseId)).state).toBe("expired");
    expect((await license(shop, perpetual.licenseId)).state).toBe("active");

    const events = await expiredEvents(pack.licenseId);
    expect(events).toHaveLength(1);
    const event = events[0]!.envelope;
    expect(event.payload).toEqual({ licenseId: pack.licenseId, orderId: pack.orderId, expiredAt: new Date(validUntil).toISOString() });
    expect(event.correlationId).toBe(pack.orderId);
    expect(shop.t.app.kernel.registry.validate(event.type, event.payload)).toEqual([]);

    const refused = await assign(shop, pack.licenseId, ["usr_late"]);
    expect([refused.status, refused.body.code]).toEqual([409, "LICENSE.NOT_ACTIVE"]);
    const bulk = await shop.http("POST", `/api/v1/licenses/${pack.licenseId}/seats`, {
      token: shop.orgAdmin,
      body: { userIds: Array.from({ length: 1001 }, (_, i) => `usr_b${i}`) },
    });
    expect([bulk.status, bulk.body.code]).toEqual([409, "LICENSE.NOT_ACTIVE"]);
    expect((await assign(shop, perpetual.licenseId, ["usr_late"])).status).toBe(201);
  });
});
