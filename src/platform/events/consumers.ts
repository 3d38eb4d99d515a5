import type { Tx } from "../db/db.js";
import type { Envelope } from "./envelope.js";
import type { OutboxEvent } from "./relay.js";

/** A consumer: a named handler over some wire types. The name is its inbox and dead-letter identity. */
export interface Consumer {
  /** `<context>.<purpose>`, e.g. `enrollment.license-granted`; the context part names its DLQ (`enrollment.dlq`). */
  name: string;
  types: readonly string[];
  handle(tx: Tx, event: Envelope): Promise<void>;
  /**
   * Called once before a batch's fresh events are handled one by one, in the same savepoint: a
   * chance to read (and lock) what all of them need in one statement instead of one each.
   */
  prepare?(tx: Tx, events: readonly Envelope[]): Promise<void>;
}

export interface Delivery {
  consumer: Consumer;
  event: Envelope;
}

export interface FailureRecorder {
  recordFailure(tx: Tx, delivery: Delivery, error: unknown): Promise<void>;
  deadLetterNow(tx: Tx, delivery: Delivery, error: unknown): Promise<void>;
  cleared(tx: Tx, delivery: Delivery): Promise<void>;
}

export interface HubObserver {
  handled(consumer: string, event: Envelope): void;
  failed(consumer: string, event: Envelope, error: unknown): void;
}

/**
 * Runs handlers exactly once per (consumer, eventId): the inbox row and the handler's effect share a
 * savepoint inside the caller's transaction, so a redelivery finds the row and changes nothing
 * (invariant 2), and one failing handler does not undo its neighbours in the batch.
 */
export class ConsumerHub {
  private readonly byType = new Map<string, Consumer[]>();
  private readonly byName = new Map<string, Consumer>();
  private failures?: FailureRecorder;

  constructor(private readonly observer: HubObserver) {}

  register(consumer: Consumer): void {
    if (this.byName.has(consumer.name)) throw new Error(`consumer registered twice: ${consumer.name}`);
    this.byName.set(consumer.name, consumer);
    for (const type of consumer.types) this.byType.set(type, [...(this.byType.get(type) ?? []), consumer]);
  }

  useFailureRecorder(recorder: FailureRecorder): void {
    this.failures = recorder;
  }

  /** Stores deliveries that must never run (a broken contract) straight in the dead-letter store. */
  async reject(tx: Tx, deliveries: readonly Delivery[], error: (delivery: Delivery) => Error): Promise<void> {
    if (!this.failures) throw new Error("no failure recorder");
    for (const delivery of deliveries) await this.failures.deadLetterNow(tx, delivery, error(delivery));
  }

  consumer(name: string): Consumer | undefined {
    return this.byName.get(name);
  }

  consumers(): Consumer[] {
    return [...this.byName.values()];
  }

  listensTo(type: string): boolean {
    return this.byType.has(type);
  }

  deliveriesFor(events: readonly Envelope[]): Delivery[] {
    return events.flatMap((event) => (this.byType.get(event.type) ?? []).map((consumer) => ({ consumer, event })));
  }

  /**
   * `retrying` marks deliveries that come from the retry table, whose row must go once they succeed.
   * The whole batch is tried optimistically under one savepoint with one inbox insert per consumer;
   * only if a handler throws is the batch replayed one delivery at a time, so the failure is
   * isolated, retried and dead-lettered on its own.
   */
  async deliver(tx: Tx, deliveries: readonly Delivery[], retrying = false): Promise<void> {
    if (deliveries.length === 0) return;
    if (deliveries.length > 1) {
      try {
        const applied = await tx.savepoint(() => this.deliverAll(tx, deliveries, retrying));
        applied.forEach(({ consumer, event }) => this.observer.handled(consumer.name, event));
        return;
      } catch {
        // Fall through: find the failing delivery by running them one by one.
      }
    }
    for (const delivery of deliveries) await this.deliverOne(tx, delivery, retrying);
  }

  private async deliverAll(tx: Tx, deliveries: readonly Delivery[], retrying: boolean): Promise<Delivery[]> {
    const fresh = new Set<string>();
    const byConsumer = new Map<string, string[]>();
    for (const { consumer, event } of deliveries) byConsumer.set(consumer.name, [...(byConsumer.get(consumer.name) ?? []), event.eventId]);
    // One insert per consumer, all sent at once.
    await Promise.all(
      [...byConsumer].map(async ([consumer, eventIds]) => {
        const inserted = await tx.query<{ event_id: string }>(
          `INSERT INTO platform.inbox (consumer, event_id) SELECT $1, unnest($2::text[]) ON CONFLICT DO NOTHING RETURNING event_id`,
          [consumer, eventIds],
        );
        inserted.rows.forEach((row) => fresh.add(`${consumer}\u0000${row.event_id}`));
      }),
    );
    const toApply = deliveries.filter((delivery) => fresh.delete(`${delivery.consumer.name}\u0000${delivery.event.eventId}`)); // not a redelivery, nor a duplicate within the batch
    for (const consumer of new Set(toApply.map((delivery) => delivery.consumer))) {
      await consumer.prepare?.(
        tx,
        toApply.filter((delivery) => delivery.consumer === consumer).map((delivery) => delivery.event),
      );
    }
    const applied: Delivery[] = [];
    for (const delivery of toApply) {
      await delivery.consumer.handle(tx, delivery.event);
      applied.push(delivery);
    }
    await tx.flush(); // inside the savepoint: a deferred write that fails is this batch's failure
    if (retrying) for (const delivery of deliveries) await this.failures?.cleared(tx, delivery);
    return applied;
  }

  private async deliverOne(tx: Tx, delivery: Delivery, retrying: boolean): Promise<void> {
    const { consumer, event } = delivery;
    try {
      const fresh = await tx.savepoint(async () => {
        const inbox = await tx.query(`INSERT INTO platform.inbox (consumer, event_id) VALUES ($1, $2) ON CONFLICT DO NOTHING`, [
          consumer.name,
          event.eventId,
        ]);
        if (inbox.rowCount === 0) return false;
        await consumer.handle(tx, event);
        await tx.flush();
        return true;
      });
      if (retrying) await this.failures?.cleared(tx, delivery);
      if (fresh) this.observer.handled(consumer.name, event);
    } catch (error) {
      this.observer.failed(consumer.name, event, error);
      if (!this.failures) throw error;
      await this.failures.recordFailure(tx, delivery, error);
    }
  }
}

/** Embedded mode: the relay's own transaction runs the consumers, so publish and effect commit together. */
export class InProcessPublisher {
  constructor(private readonly hub: ConsumerHub) {}
  async publish(tx: Tx, events: readonly OutboxEvent[]): Promise<void> {
    // Only events someone listens to are parsed.
    const wanted = events.filter((event) => this.hub.listensTo(event.type)).map((event) => JSON.parse(event.json) as Envelope);
    await this.hub.deliver(tx, this.hub.deliveriesFor(wanted));
  }
}
