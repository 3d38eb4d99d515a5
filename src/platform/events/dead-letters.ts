import type { Clock } from "../clock.js";
import type { Db } from "../db/db.js";
import { reject, ok, type Result } from "../result.js";
import type { ConsumerHub } from "./consumers.js";
import type { Envelope } from "./envelope.js";
import type { AttemptRecord, DeadLetter } from "./retries.js";

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

  async list(filter: { queue?: string; consumer?: string; pending?: boolean; limit: number; cursor?: string }): Promise<{ items: DeadLetter[]; nextCursor: string | null }> {
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
   * Runs the handler once more, now. The inbox still guards it, so replaying a letter whose effect
   * somehow landed is a no-op; a replay that fails again stays in the store with the new error.
   */
  async replay(id: string): Promise<Result<{ id: string; status: "applied"; replayedAt: string }>> {
    return this.db.tx(async (tx) => {
      const found = await tx.query<DeadLetterRow>(`SELECT * FROM platform.dead_letters WHERE id = $1 FOR UPDATE`, [id]);
      const row = found.rows[0];
      if (!row) return reject("DLQ.NOT_FOUND", `no dead letter ${id}`);
      if (row.replayed_at) return reject("DLQ.ALREADY_REPLAYED", `dead letter ${id} was replayed at ${new Date(row.replayed_at).toISOString()}`);
      const consumer = this.hub.consumer(row.consumer);
      if (!consumer) return reject("DLQ.CONSUMER_UNKNOWN", `consumer ${row.consumer} is not running in this process`);
      const now = this.clock.now();
      try {
        await tx.savepoint(async () => {
          const inbox = await tx.query(`INSERT INTO platform.inbox (consumer, event_id) VALUES ($1, $2) ON CONFLICT DO NOTHING`, [row.consumer, row.event_id]);
          if (inbox.rowCount > 0) await consumer.handle(tx, row.envelope);
        });
      } catch (error) {
        const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
        const attempt: AttemptRecord = { attempt: row.history.length + 1, at: now.toISOString(), error: message };
        await tx.query(`UPDATE platform.dead_letters SET last_error = $2, history = history || $3::jsonb WHERE id = $1`, [id, message, JSON.stringify([attempt])]);
        return { ok: false, rejection: { code: "DLQ.REPLAY_FAILED", detail: message } };
      }
      await tx.query(`UPDATE platform.dead_letters SET replayed_at = $2 WHERE id = $1`, [id, now]);
      return ok({ id, status: "applied" as const, replayedAt: now.toISOString() });
    });
  }
}
