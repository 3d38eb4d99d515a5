import type { Mapping } from "./seed-contract.js";

/** Why the fixture's mappings differ from the seeds, each reason said once (seed-events.fixture.ts). */

export const CAMEL = "our wire payloads are camelCase throughout, as seeds 000 and 001 write them; seeds 002 and 004 write snake_case";
export const BUYER = "the buyer, named as seed 000 §2.0 names it (buyerUserId): a seat's learner is another user (assigneeUserId)";
export const MONEY = "money is an integer in minor units with its currency beside it, never a float";
export const BUCKET =
  "a wallet bucket (seed 004's coin type), camelCase; our buckets are promo, branded and general where seed 004's examples say promo_coins, branded_coins and rez_coins";
export const NO_MERCHANT =
  "a course order has no merchant: each line's seller is its listing's provider (marketplace.order.placed.v1 items[].listingId)";

export const BY_ORDER =
  "a licence's events are the purchase flow's: keyed by order, they stay in order with order.paid, order.fulfilled and order.refunded (seed 000 §7 keys the enrollment service's own outbox by learner)";
export const BY_WALLET =
  "a wallet's debits, credits and refunds chain their balances (before, after), so they are ordered per wallet, and one wallet pays for many orders";
export const BY_LEARNER = { seed: "seed 000 §7", seedField: "userId" } as const;
export const BY_ORDER_004 = { seed: "seed 004 EVENT GUARANTEES", seedField: "order_id" } as const;

/** The usual snake_case → camelCase renames, each with the naming reason. */
export function camel(...pairs: Array<[seedField: string, ourField: string]>): Mapping[] {
  return pairs.map(([seedField, ourField]) => ({ seedField, ourField, why: CAMEL }));
}
