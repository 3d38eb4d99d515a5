import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buy, liveOffer, openShop, order, sys, type Shop } from "./purchase-support.js";

// Issue #18 item 8: marketplace is out of PCI scope (seed 001 §4, §10.8). The card token goes to
// billing and marketplace keeps none of it: no column for it, and the value in no row.
let shop: Shop;
beforeAll(async () => {
  shop = await openShop();
});
afterAll(async () => shop?.t.stop());

/** Marketplace tables (every one, found in the catalog) whose rows, as text, contain `needle`. */
async function marketplaceRowsHolding(needle: string): Promise<string[]> {
  const tables = await sys<{ name: string }>(
    shop,
    `SELECT quote_ident(table_name) AS name FROM information_schema.tables WHERE table_schema = 'marketplace' AND table_type = 'BASE TABLE'`,
  );
  expect(tables.length).toBeGreaterThan(5);
  const holding: string[] = [];
  for (const { name } of tables) {
    const hits = await sys<{ n: number }>(
      shop,
      `SELECT count(*)::int AS n FROM marketplace.${name} t WHERE strpos(row_to_json(t)::text, $1) > 0`,
      [needle],
    );
    if (hits[0]!.n > 0) holding.push(name);
  }
  return holding;
}

describe("the buyer's card never rests in marketplace", () => {
  it("buys with tok_visa, and no marketplace table has a token column or a row holding the token", async () => {
    const offer = await liveOffer(shop);
    const placed = await buy(shop, offer, { payment: { method: "card", token: "tok_visa" } });
    expect(placed.status).toBe(201);
    await shop.t.settle();
    expect((await order(shop, placed.body.orderId)).status).toBe("fulfilled");

    const columns = await sys<{ column: string }>(
      shop,
      `SELECT table_name || '.' || column_name AS column FROM information_schema.columns WHERE table_schema = 'marketplace' AND column_name ILIKE '%token%'`,
    );
    expect(columns).toEqual([]);
    expect(await marketplaceRowsHolding("tok_visa")).toEqual([]);
    // Billing, which owns payment methods, is where it went (its own rows; it may resubmit with it).
    expect((await sys(shop, `SELECT 1 FROM billing.payment_intents WHERE order_id = $1`, [placed.body.orderId])).length).toBe(1);
  });

  it("pays a delayed card through billing's own check, still without marketplace keeping it", async () => {
    const offer = await liveOffer(shop);
    const placed = await buy(shop, offer, { payment: { method: "card", token: "tok_delayed" } });
    expect(placed.status).toBe(201);
    const orderId = placed.body.orderId as string;
    expect((await order(shop, orderId)).status).toBe("awaiting_payment");
    // Billing's deadline worker asks the provider again with the card it kept (sandbox: settled after 3 s).
    shop.t.clock.advance(3_000);
    await expect.poll(async () => (await order(shop, orderId)).status, { timeout: 10_000 }).toBe("fulfilled");
    expect(await marketplaceRowsHolding("tok_delayed")).toEqual([]);
  });
});
