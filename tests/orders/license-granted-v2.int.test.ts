import { jetstreamManager } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { onNats } from "../support/test-app.js";
import { buy, flow, liveOffer, openShop, order, type Shop } from "./purchase-support.js";

let shop: Shop;
beforeAll(async () => {
  shop = await openShop();
});
afterAll(() => shop?.t.stop());

const V1 = "marketplace.license.granted.v1";
const V2 = "marketplace.license.granted.v2";

describe("marketplace.license.granted.v2, dual-published with .v1", () => {
  it("tells the sync-service a perpetual-offline licence is one, and keeps .v1 as it was", async () => {
    const offer = await liveOffer(shop, { kind: "one_time", amount: 4900, currency: "USD", perpetualOffline: true });
    const placed = await buy(shop, offer);
    expect(placed.status, JSON.stringify(placed.body)).toBe(201);
    const orderId = placed.body.orderId;
    const events = await flow(shop, orderId);
    const types = events.map((e) => e.type);
    // The pair side by side, the old version first.
    expect(types.indexOf(V2)).toBe(types.indexOf(V1) + 1);
    const v1 = events.find((e) => e.type === V1)! as any;
    const v2 = events.find((e) => e.type === V2)! as any;
    const view = await order(shop, orderId);
    const fields = {
      licenseId: view.licenseIds[0],
      orderId,
      courseId: offer.courseId,
      listingId: offer.listingId,
      buyerUserId: "usr_buyer",
    };
    expect(v1.payload).toEqual(fields);
    expect(v2.payload).toEqual({ ...fields, perpetualOffline: true });
    expect(v2.eventId).toBe(`${v1.eventId}.v2`);
    for (const key of ["partitionKey", "aggregateId", "correlationId", "causationId", "occurredAt", "tenantId", "metadata"])
      expect(v2[key], key).toEqual(v1[key]);
    for (const event of [v1, v2]) expect(shop.t.app.kernel.registry.validate(event.type, event.payload)).toEqual([]);

    // What follows the grant still happens: the buyer is enrolled and the order fulfilled.
    expect(view.status).toBe("fulfilled");
    expect(view.enrollmentIds).toHaveLength(1);
    const enrollments = await shop.http("GET", `/api/v1/enrollments?userId=usr_buyer&courseId=${offer.courseId}`, { token: shop.buyer });
    expect(enrollments.body.items).toMatchObject([{ status: "active", source: { kind: "license", ref: view.licenseIds[0] } }]);
  });

  it("says perpetualOffline false for a plan without the flag", async () => {
    const offer = await liveOffer(shop, { kind: "one_time", amount: 1900, currency: "USD" });
    const placed = await buy(shop, offer);
    const v2 = (await flow(shop, placed.body.orderId)).find((e) => e.type === V2)!;
    expect(v2.payload.perpetualOffline).toBe(false);
  });

  it.runIf(onNats)("puts both versions on the bus, each on its own subject", async () => {
    const offer = await liveOffer(shop, { kind: "one_time", amount: 2900, currency: "USD", perpetualOffline: true });
    const placed = await buy(shop, offer);
    const events = await flow(shop, placed.body.orderId);
    const bus = shop.t.app.kernel.bus!;
    const nc = await connect({ servers: process.env.NATS_URL! });
    try {
      const jsm = await jetstreamManager(nc);
      for (const type of [V1, V2]) {
        const sent = events.find((e) => e.type === type)!;
        const message = await jsm.streams.getMessage(bus.streamName("financial"), { last_by_subj: bus.subject(type) });
        expect(message, type).not.toBeNull();
        expect(message!.json<{ eventId: string; payload: unknown }>(), type).toMatchObject({
          eventId: sent.eventId,
          payload: sent.payload,
        });
      }
    } finally {
      await nc.close();
    }
  });
});
