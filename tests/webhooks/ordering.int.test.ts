import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RETRY_AFTER_MS } from "../../src/contexts/webhooks/deliveries/delivery.domain.js";
import { liveOffer, openShop, sys, type Offer, type Shop } from "../orders/purchase-support.js";
import { fulfilled } from "../refunds/refund-support.js";
import { Receiver } from "./receiver.js";

/**
 * The send gate waits for an earlier event of a partition key that is in the outbox but not fanned
 * out yet (on NATS each wire type has its own consumer, so a later type can be recorded first). Made
 * deterministic by undoing one event's fan-out (its inbox row and delivery) after the fact: the
 * key's later deliveries must wait, other keys' go, and once that event is dead-lettered the key
 * moves again. Both engines.
 */

let shop: Shop;
let offer: Offer;
let target: Receiver;

beforeAll(async () => {
  process.env.WEBHOOKS_ALLOW_PRIVATE_URLS = "true";
  try {
    shop = await openShop();
  } finally {
    delete process.env.WEBHOOKS_ALLOW_PRIVATE_URLS;
  }
  offer = await liveOffer(shop);
  target = await Receiver.start();
});
afterAll(async () => {
  await target?.stop();
  await shop?.t.stop();
});

async function deliver(): Promise<void> {
  await shop.t.settle();
  await shop.t.app.kernel.settle();
}

describe("an earlier event of the key not fanned out yet", () => {
  it("holds the key's later deliveries back (not other keys'), until it is fanned out or dead-lettered", async () => {
    const created = await shop.http("POST", "/api/v1/webhooks", {
      token: shop.orgAdmin,
      body: { url: target.url, events: ["marketplace.", "billing."] },
    });
    expect(created.status).toBe(201);
    target.secret = created.body.secret;
    const endpointId = created.body.endpointId as string;
    target.answer = () => 503; // every key's head fails once; the rest of each key waits behind it
    await fulfilled(shop, offer);
    await deliver();

    const rows = await sys<{ delivery_id: string; event_id: string; event_type: string; partition_key: string }>(
      shop,
      `SELECT delivery_id, event_id, event_type, partition_key FROM webhooks.deliveries WHERE endpoint_id = $1 ORDER BY position`,
      [endpointId],
    );
    const byKey = new Map<string, typeof rows>();
    for (const row of rows) byKey.set(row.partition_key, [...(byKey.get(row.partition_key) ?? []), row]);
    const [key, ofKey] = [...byKey].find(([, list]) => list.length >= 2)!;
    const head = ofKey[0]!;
    // As if the head's event had not reached the fan-out yet: no inbox row, no delivery.
    await sys(shop, `DELETE FROM platform.inbox WHERE consumer = 'webhooks.fanout' AND event_id = $1`, [head.event_id]);
    await sys(shop, `DELETE FROM webhooks.deliveries WHERE delivery_id = $1`, [head.delivery_id]);

    target.answer = () => 200;
    shop.t.clock.advance(RETRY_AFTER_MS[0]);
    // Only the delivery worker from here: the test app's settle() would wait for the missing inbox row.
    await shop.t.app.kernel.settle();
    const sentKeys = new Set(target.accepted().map((r) => r.event.partitionKey));
    expect(sentKeys.has(key), `nothing of ${key} is sent while ${head.event_type} is not fanned out`).toBe(false);
    if (byKey.size > 1) expect(sentKeys.size).toBeGreaterThan(0);

    // Dead-lettered by the fan-out: it will never be recorded, so it no longer holds the key.
    await sys(
      shop,
      `INSERT INTO platform.dead_letters (id, queue, consumer, event_id, type, envelope, last_error, history, dead_at)
       SELECT 'dlq_test_' || event_id, 'webhooks.fanout.dlq', 'webhooks.fanout', event_id, type, envelope, 'test', '[]'::jsonb, now()
         FROM platform.outbox WHERE event_id = $1`,
      [head.event_id],
    );
    await shop.t.app.kernel.settle();
    const ofKeySent = target.accepted().filter((r) => r.event.partitionKey === key);
    expect(ofKeySent.map((r) => r.event.eventId)).toEqual(ofKey.slice(1).map((row) => row.event_id));
  });
});
