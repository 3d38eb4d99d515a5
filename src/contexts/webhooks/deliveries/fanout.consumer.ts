import { DeferredRows } from "../../../platform/db/deferred-rows.js";
import type { Envelope } from "../../../platform/events/envelope.js";
import type { Kernel } from "../../../platform/kernel.js";
import { deliveriesWrite } from "./deliveries.sql.js";

/**
 * Every wire type the contexts publish reaches webhooks through the consumer machinery (at least once,
 * retried, dead-lettered like any consumer); each event becomes one delivery row per matching endpoint
 * of its tenant, in the consumer's transaction. The rows are a deferred write: a batch of events
 * makes one statement, flushed inside the consumer's savepoint (so a batch replayed one by one after
 * a neighbour's failure forgets what it had buffered and records each event again).
 * A tenant with no enabled endpoint costs no query of its own: that one INSERT … SELECT joins the
 * enabled endpoints of each event's tenant (partial index endpoints_enabled) and inserts nothing for
 * it; a separate EXISTS per event would add a round trip, and an in-process cache would be wrong
 * across instances.
 */
export function fanoutConsumer(kernel: Kernel, types: readonly string[]): void {
  const key = {};
  kernel.hub.register({
    name: "webhooks.fanout",
    types,
    async handle(tx, event) {
      if (event.tenantId === null) return;
      const now = kernel.clock.now();
      tx.deferred(key, () => new DeferredRows<Envelope>(60, (events) => deliveriesWrite(events, now))).rows.push(event);
    },
  });
}
