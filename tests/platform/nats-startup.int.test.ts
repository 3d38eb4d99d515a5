import { afterAll, describe, expect, it } from "vitest";
import { openShop, type Shop } from "../orders/purchase-support.js";
import { fulfilled } from "../refunds/refund-support.js";
import { liveOffer } from "../orders/purchase-support.js";
import { OwnNats } from "../support/own-nats.js";
import { onNats } from "../support/test-app.js";

/** Issue 18: with NATS not up yet at start-up, the process failed to start (ECONNREFUSED) instead of waiting for it. */
let nats: OwnNats | undefined;
let shop: Shop | undefined;
afterAll(async () => {
  await shop?.t.stop().catch(() => undefined);
  await nats?.remove();
});

describe.skipIf(!onNats)("a NATS server that is not up yet when the service starts", () => {
  it("is waited for: the service starts once it is up, and a purchase is fulfilled", { timeout: 120_000 }, async () => {
    nats = await OwnNats.reserve();
    const starting = openShop({ env: { NATS_URL: nats.url } });
    let started = false;
    void starting.then(
      () => (started = true),
      () => (started = true),
    );
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    expect(started).toBe(false);
    await nats.up();
    shop = await starting;
    const offer = await liveOffer(shop);
    expect((await fulfilled(shop, offer)).status).toBe("fulfilled");
  });
});
