import type { Clock } from "../clock.js";
import type { Db, Tx } from "../db/db.js";
import { newId } from "../ids.js";
import { reject, ok, type Result } from "../result.js";
import type { ConsumerHub } from "./consumers.js";
import type { Envelope } from "./envelope.js";
import type { Unpublishable } from "./relay.js";
import { queueOf, type AttemptRecord, type DeadLetter } from "./retries.js";

/**
 * The "consumer" under which the relay files rows the bus will never take (queue `platform.dlq`).
 * Replaying one puts its row back in the relay's queue: after the limit was raised, say.
 */
export const RELAY_DEAD_LETTERS = "platform.relay";

interface DeadLetterRow {
  id: string;
  queue: string;
  consumer: string;
  event_id: string;
  type: string;
  envelope: Envelope;
  last_error: string;
  history: AttemptRecord[];
  dead_at: Date;
  replayed_at: Date | null;
}

const toDeadLetter = (row: DeadLetterRow): DeadLetter => ({
  id: row.id,
  queue: row.queue,
  consumer: row.consumer,
  eventId: row.event_id,
  type: row.type,
  error: row.last_error,
  attempts: row.history,
  deadAt: new Date(row.dead_at).toISOString(),
  replayedAt: row.replayed_at ? new Date(row.replayed_at).toISOString() : null,
  event: row.envelope,
});

/** Operators' view of the dead-letter store: list, inspect, and replay one after a fix. */
export class DeadLetters {
  constructor(
    private readonly db: Db,
    private readonly hub: ConsumerHub,
    private readonly clock: Clock,
  ) {}

  async list(filter: {
    queue?: string;
    consumer?: string;
    pending?: boolean;
    limit: number;
    cursor?: string;
  }): Promise<{ items: DeadLetter[]; nextCursor: string | null }> {
    const rows = await this.db.query<DeadLetterRow>(
      `SELECT * FROM platform.dead_letters
        WHERE ($1::text IS NULL OR queue = $1) AND ($2::text IS NULL OR consumer = $2)
          AND ($3::boolean IS NULL OR (replayed_at IS NULL) = $3) AND ($4::text IS NULL OR id > $4)
        ORDER BY id LIMIT $5`,
      [filter.queue ?? null, filter.consumer ?? null, filter.pending ?? null, filter.cursor ?? null, filter.limit + 1],
    );
    const items = rows.rows.slice(0, filter.limit).map(toDeadLetter);
    return { items, nextCursor: rows.rows.length > filter.limit ? items[items.length - 1]!.id : null };
  }

  /**
   * Files outbox rows the relay can never publish, in the transaction that took them off its queue.
   * The envelope is copied from the log by position, so a row of megabytes is not sent back and forth.
   */
  async buryUnpublishable(tx: Tx, rows: readonly Unpublishable[]): Promise<void> {
    const at = this.clock.now();
    await tx.query(
      `INSERT INTO platform.dead_letters (id, queue, consumer, event_id, type, envelope, last_error, history, dead_at)
       SELECT d.id, $4, $5, o.event_id, o.type, o.envelope, d.reason, jsonb_build_array(jsonb_build_object('attempt', 1, 'at', $6::text, 'error', d.reason)), $7
         FROM unnest($1::text[], $2::bigint[], $3::text[]) AS d(id, position, reason) JOIN platform.outbox o ON o.position = d.position
       ON CONFLICT (consumer, event_id) DO UPDATE
         SET last_error = EXCLUDED.last_error, history = platform.dead_letters.history || EXCLUDED.history,
             dead_at = EXCLUDED.dead_at, replayed_at = NULL`,
      [
        rows.map(() => newId("dlq")),
        rows.map((row) => row.event.position),
        rows.map((row) => row.reason),
        queueOf(RELAY_DEAD_LETTERS),
        RELAY_DEAD_LETTERS,
        at.toISOString(),
        at,
      ],
    );
  }

  /**
   * Runs the handler once more, now. The inbox still guards it, so replaying a letter whose effect
   * somehow landed is a no-op; a replay that fails again stays in the store with the new error.
   */
  async replay(id: string): Promise<Result<{ id: string; status: "applied" | "requeued"; replayedAt: string }>> {
    return this.db.tx(async (tx) => {
      const found = await tx.query<DeadLetterRow>(`SELECT * FROM platform.dead_letters WHERE id = $1 FOR UPDATE`, [id]);
      const row = found.rows[0];
      if (!row) return reject("DLQ.NOT_FOUND", `no dead letter ${id}`);
      if (row.replayed_at)
        return reject("DLQ.ALREADY_REPLAYED", `dead letter ${id} was replayed at ${new Date(row.replayed_at).toISOString()}`);
      if (row.consumer === RELAY_DEAD_LETTERS) {
        // Back in the relay's queue; if it still cannot go out it comes back here, with the new reason.
        const now = this.clock.now();
        await tx.query(
          `INSERT INTO platform.outbox_pending (position, bucket) SELECT position, bucket FROM platform.outbox WHERE event_id = $1 ON CONFLICT DO NOTHING`,
          [row.event_id],
        );
        await tx.query(`UPDATE platform.dead_letters SET replayed_at = $2 WHERE id = $1`, [id, now]);
        return ok({ id, status: "requeued" as const, replayedAt: now.toISOString() });
      }
      const consumer = this.hub.consumer(row.consumer);
      if (!consumer) return reject("DLQ.CONSUMER_UNKNOWN", `consumer ${row.consumer} is not running in this process`);
      const now = this.clock.now();
      try {
        await tx.savepoint(async () => {
          const inbox = await tx.query(`INSERT INTO platform.inbox (consumer, event_id) VALUES ($1, $2) ON CONFLICT DO NOTHING`, [
            row.consumer,
            row.event_id,
          ]);
          if (inbox.rowCount > 0) await consumer.handle(tx, row.envelope);
        });
      } catch (error) {
        const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
        const attempt: AttemptRecord = { attempt: row.history.length + 1, at: now.toISOString(), error: message };
        await tx.query(`UPDATE platform.dead_letters SET last_error = $2, history = history || $3::jsonb WHERE id = $1`, [
          id,
          message,
          JSON.stringify([attempt]),
        ]);
        return { ok: false, rejection: { code: "DLQ.REPLAY_FAILED", detail: message } };
      }
      await tx.query(`UPDATE platform.dead_letters SET replayed_at = $2 WHERE id = $1`, [id, now]);
      return ok({ id, status: "applied" as const, replayedAt: now.toISOString() });
    });
  }
}
