import type { Consumer } from "../../../platform/events/consumers.js";
import type { PaymentsPort } from "../ports.js";
import { preloadOrders } from "./order-memo.js";
import type { PurchaseRuntime } from "./purchase-flow.js";
import { orderOf, PURCHASE_SAGA_CONSUMER, PURCHASE_SAGA_EVENTS, purchaseInputOf } from "./purchase-inputs.js";

/**
 * The saga's events from the bus. Events for orders this saga does not know (another flow's
 * payment) are ignored by the runtime; a payment outcome the saga already took in the transaction
 * that paid (see RequestPayment) is in the inbox and never reaches it again.
 */
export function purchaseSagaConsumer(runtime: PurchaseRuntime, payments: PaymentsPort): Consumer {
  return {
    name: PURCHASE_SAGA_CONSUMER,
    types: PURCHASE_SAGA_EVENTS,
    async prepare(tx, events) {
      // A batch's sagas (locked) and orders in two reads sent together, not two per event.
      const orderIds = events.map(orderOf).filter((id): id is string => id !== null);
      await Promise.all([runtime.preload(tx, orderIds), preloadOrders(tx, orderIds)]);
    },
    async handle(tx, event) {
      const orderId = orderOf(event);
      if (orderId === null) return;
      const input = await purchaseInputOf(tx, event, payments);
      if (input) await runtime.handle(tx, orderId, input, event.eventId);
    },
  };
}
