import type { Tx } from "../../../platform/db/db.js";
import { findSubscriptions, type SubscriptionRow } from "./subscriptions.sql.js";

/**
 * What the saga's commands read of a subscription (buyer, licence, price, method reference) is read
 * once per transaction: a memo of the transaction (`tx.memo`), nothing outlives the commit. A
 * subscription started in this transaction is remembered, not read (its row is written at commit).
 */
const SUBSCRIPTIONS = {};
const entries = (tx: Tx) => tx.memo(SUBSCRIPTIONS, () => new Map<string, SubscriptionRow>());

export function rememberSubscription(tx: Tx, row: SubscriptionRow): void {
  entries(tx).set(row.subscriptionId, row);
}

/** Reads a batch's subscriptions at once. */
export async function preloadSubscriptions(tx: Tx, subscriptionIds: readonly string[]): Promise<void> {
  const known = entries(tx);
  const wanted = [...new Set(subscriptionIds)].filter((id) => !known.has(id));
  for (const row of await findSubscriptions(tx, wanted)) known.set(row.subscriptionId, row);
}

export async function subscriptionIn(tx: Tx, subscriptionId: string): Promise<SubscriptionRow> {
  await preloadSubscriptions(tx, [subscriptionId]);
  const row = entries(tx).get(subscriptionId);
  if (!row) throw new Error(`subscription ${subscriptionId} of a running saga does not exist`);
  return row;
}

/** Forgets a row this transaction changed (a new method reference), so the next read sees the change. */
export function forgetSubscription(tx: Tx, subscriptionId: string): void {
  entries(tx).delete(subscriptionId);
}
