import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { flow, openShop, order, type Shop } from "../orders/purchase-support.js";
import { fulfilled, refund, refundableOffer, withoutAudit } from "./refund-support.js";

// Issue 20 item 6: a refunded (or otherwise revoked) license leaves audit access where the course
// offers it, through the real wiring (seed 003). Completed enrollments: audit-downgrade-completed.int.test.ts.
let shop: Shop;
beforeAll(async () => {
  shop = await openShop();
});
afterAll(async () => shop?.t.stop());

const enrollment = async (id: string) => (await shop.http("GET", `/api/v1/enrollments/${id}`, { token: shop.admin })).body;
const entitlement = async (courseId: string) =>
  (await shop.http("GET", `/api/v1/entitlements?userId=usr_buyer&courseId=${courseId}`, { token: shop.buyer })).body;

describe("a refund leaves audit access where the course offers it", () => {
  it("downgrades the buyer's enrollment to audit on a course that offers audit (catalog's default), and says so", async () => {
    const offer = await refundableOffer(shop);
    const bought = await fulfilled(shop, offer);
    expect((await refund(shop, bought.orderId)).status).toBe(202);
    await shop.t.settle();

    const view = await order(shop, bought.orderId);
    expect(view.status).toBe("refunded");
    expect(await enrollment(view.enrollmentIds[0])).toMatchObject({ status: "active", mode: "audit" });
    expect(await entitlement(offer.courseId)).toMatchObject({ entitled: true, enrollmentId: view.enrollmentIds[0], mode: "audit" });

    const events = await flow(shop, bought.orderId);
    expect(events.find((e) => e.type === "enrollment.mode_changed.v1")!.payload).toMatchObject({
      enrollmentId: view.enrollmentIds[0],
      from: "verified",
      to: "audit",
      reason: "license_revoked",
    });
    // The order's aggregate still comes (seed 000 §2.0): nothing was revoked outright.
    expect(events.find((e) => e.type === "enrollment.revoked.v1" && "orderId" in e.payload)!.payload).toEqual({
      orderId: bought.orderId,
      revokedCount: 0,
    });
  });

  it("revokes the enrollment on a course without audit: not entitled", async () => {
    const offer = await refundableOffer(shop);
    await withoutAudit(shop, offer.courseId);
    const bought = await fulfilled(shop, offer);
    expect((await refund(shop, bought.orderId)).status).toBe(202);
    await shop.t.settle();

    const view = await order(shop, bought.orderId);
    expect(await enrollment(view.enrollmentIds[0])).toMatchObject({ status: "revoked", mode: "verified" });
    expect(await entitlement(offer.courseId)).toEqual({ entitled: false, offline: false });
  });
});
