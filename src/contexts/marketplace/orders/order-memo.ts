import type { Tx } from "../../../platform/db/db.js";
import { findOrdersWithLines, type OrderLineRow, type PlacedOrder } from "./orders.sql.js";

/**
 * What the purchase saga's commands read of an order never changes after placement (`PlacedOrder`),
 * so a transaction reads it once, and the transaction that placed the order never reads it at all.
 * A memo of the transaction (`tx.memo`): nothing outlives the commit.
 */
const ORDERS = {};
const entries = (tx: Tx) =>
  tx.memo(ORDERS, () => new Map<string, { order: PlacedOrder; lines: OrderLineRow[]; placedHere?: true; card?: string }>());

/**
 * The order was placed in this transaction. `card`: the buyer's card token or PaymentMethod id, held
 * in memory only until the saga hands it to billing in this same transaction (seed 001 §4, §10.8:
 * marketplace keeps no card data; billing keeps what it needs to resubmit).
 */
export function rememberOrder(tx: Tx, order: PlacedOrder, lines: OrderLineRow[], card: string | null): void {
  entries(tx).set(order.orderId, { order, lines, placedHere: true, ...(card !== null ? { card } : {}) });
}

/** The card an order placed in this transaction is paid with; null anywhere else (it was never stored). */
export function cardPlacedHere(tx: Tx, orderId: string): string | null {
  const entry = entries(tx).get(orderId);
  return entry?.placedHere ? (entry.card ?? null) : null;
}

/** Reads the orders a batch of saga inputs will need, all at once. */
export async function preloadOrders(tx: Tx, orderIds: readonly string[]): Promise<void> {
  const orders = entries(tx);
  const wanted = [...new Set(orderIds)].filter((id) => !orders.has(id));
  if (wanted.length === 0) return;
  for (const found of await findOrdersWithLines(tx, wanted)) orders.set(found.order.orderId, found);
}

export async function placedOrder(tx: Tx, orderId: string): Promise<PlacedOrder> {
  await preloadOrders(tx, [orderId]);
  const entry = entries(tx).get(orderId);
  if (!entry) throw new Error(`order ${orderId} of a running purchase saga does not exist`);
  return entry.order;
}

export async function placedLines(tx: Tx, orderId: string): Promise<OrderLineRow[]> {
  await placedOrder(tx, orderId);
  return entries(tx).get(orderId)!.lines;
}
