import type { Clock } from "../clock.js";
import { earliestIn } from "../poller.js";
import type { Db, Tx } from "../db/db.js";
import { newId } from "../ids.js";
import type { ConsumerHub, Delivery, FailureRecorder } from "./consumers.js";
import type { Envelope } from "./envelope.js";

/** Invariant 4 (and seed 004 "Retry Policy"): 1 s, 5 s, 30 s, 5 min, 1 h, then the dead-letter store. */
export const RETRY_LADDER_MS = [1_000, 5_000, 30_000, 300_000, 3_600_000] as const;

export interface AttemptRecord {
  attempt: number;
  at: string;
  error: string;
}

export interface DeadLetter {
  id: string;
  queue: string;
  consumer: string;
  eventId: string;
  type: string;
  error: string;
  attempts: AttemptRecord[];
  deadAt: string;
  replayedAt: string | null;
  event: Envelope;
}

export interface RetryObserver {
  deadLettered(consumer: string): void;
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/** The per-consumer DLQ a consumer's dead letters are reported under (seed 000 §8: `enrollment.dlq`). */
export function queueOf(consumer: string): string {
  return `${consumer.split(".")[0]}.dlq`;
}

/**
 * Retries live in our database, not in the broker: JetStream's backoff only applies to ack
 * timeouts (DESIGN §8), and the same table serves the embedded bus. The clock is injected, so
 * tests walk the whole ladder without waiting an hour.
 */
export class RetryScheduler implements FailureRecorder {
  constructor(
    private readonly db: Db,
    private readonly hub: ConsumerHub,
    private readonly clock: Clock,
    private readonly observer: RetryObserver,
  ) {}

  async recordFailure(tx: Tx, { consumer, event }: Delivery, error: unknown): Promise<void> {
    const now = this.clock.now();
    const previous = await tx.query<{ attempts: number; history: AttemptRecord[] }>(
      `SELECT attempts, history FROM platform.consumer_retries WHERE consumer = $1 AND event_id = $2 FOR UPDATE`,
      [consumer.name, event.eventId],
    );
    const retriesDone = previous.rows[0]?.attempts ?? 0;
    const history = [...(previous.rows[0]?.history ?? []), { attempt: retriesDone + 1, at: now.toISOString(), error: describe(error) }];
    const delay = RETRY_LADDER_MS[retriesDone];
    if (delay !== undefined) {
      await tx.query(
        `INSERT INTO platform.consumer_retries (consumer, event_id, envelope, attempts, next_attempt_at, history)
         VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (consumer, event_id) DO UPDATE
           SET attempts = EXCLUDED.attempts, next_attempt_at = EXCLUDED.next_attempt_at, history = EXCLUDED.history`,
        [consumer.name, event.eventId, JSON.stringify(event), retriesDone + 1, new Date(now.getTime() + delay), JSON.stringify(history)],
      );
      return;
    }
    await this.bury(tx, consumer.name, event, history, describe(error), now);
  }

  /** A message that can never succeed (its payload breaks the contract) skips the ladder. */
  async deadLetterNow(tx: Tx, { consumer, event }: Delivery, error: unknown): Promise<void> {
    const now = this.clock.now();
    await this.bury(tx, consumer.name, event, [{ attempt: 1, at: now.toISOString(), error: describe(error) }], describe(error), now);
  }

  private async bury(tx: Tx, consumer: string, event: Envelope, history: AttemptRecord[], error: string, now: Date): Promise<void> {
    await tx.query(`DELETE FROM platform.consumer_retries WHERE consumer = $1 AND event_id = $2`, [consumer, event.eventId]);
    await tx.query(
      `INSERT INTO platform.dead_letters (id, queue, consumer, event_id, type, envelope, last_error, history, dead_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
       ON CONFLICT (consumer, event_id) DO UPDATE
         SET last_error = EXCLUDED.last_error, history = platform.dead_letters.history || EXCLUDED.history,
             dead_at = EXCLUDED.dead_at, replayed_at = NULL`,
      [newId("dlq"), queueOf(consumer), consumer, event.eventId, event.type, JSON.stringify(event), error, JSON.stringify(history), now],
    );
    this.observer.deadLettered(consumer);
  }

  async cleared(tx: Tx, { consumer, event }: Delivery): Promise<void> {
    await tx.query(`DELETE FROM platform.consumer_retries WHERE consumer = $1 AND event_id = $2`, [consumer.name, event.eventId]);
  }

  /** The earliest retry still waiting among this process's consumers (runDue passes over the others). */
  nextDue(): Promise<Date | null> {
    const names = this.hub.consumers().map((consumer) => consumer.name);
    return earliestIn(this.db, `SELECT min(next_attempt_at) AS due FROM platform.consumer_retries WHERE consumer = ANY($1::text[])`, [
      names,
    ]);
  }

  /** Re-runs every retry whose time has come (by the injected clock); returns how many it tried. */
  async runDue(limit = 200): Promise<number> {
    return this.db.tx(async (tx) => {
      const due = await tx.query<{ consumer: string; envelope: Envelope }>(
        `SELECT consumer, envelope FROM platform.consumer_retries
          WHERE next_attempt_at <= $1 ORDER BY next_attempt_at LIMIT $2 FOR UPDATE SKIP LOCKED`,
        [this.clock.now(), limit],
      );
      const deliveries = due.rows.flatMap((row) => {
        const consumer = this.hub.consumer(row.consumer);
        return consumer ? [{ consumer, event: row.envelope }] : [];
      });
      await this.hub.deliver(tx, deliveries, true);
      return deliveries.length;
    });
  }
}
