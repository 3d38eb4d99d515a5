import type { Db, Tx } from "../db/db.js";
import { OUTBOX_BUCKETS } from "./outbox.js";

/** A committed outbox row as the relay hands it on: the stored JSON text and the facts it routes by. */
export interface OutboxEvent {
  /** The row's outbox position (a bigint, as the driver returns it) and bucket: what puts it back in the queue. */
  position: string | number;
  bucket: number;
  eventId: string;
  type: string;
  occurredAt: Date;
  /** The envelope exactly as stored: JetStream gets these bytes without a parse/stringify round trip. */
  json: string;
  /** The envelope's metadata.traceparent, read beside the text (a header on NATS, no parse needed). */
  traceparent?: string | null;
}

/**
 * What became of a batch that was not wholly published. `refused`: the bus will never take them
 * (too large); `failed`: not now (a timeout) — their buckets go back in the queue.
 */
export interface PublishOutcome {
  refused: Array<{ event: OutboxEvent; reason: string }>;
  failed: Array<{ event: OutboxEvent; error: unknown }>;
}

/** Where the relay hands committed events: the in-process hub (same transaction) or JetStream. */
export interface Publisher {
  /** Throws when nothing could be published: the pass rolls back and every row stays pending. */
  publish(tx: Tx, events: readonly OutboxEvent[]): Promise<PublishOutcome | void>;
  /** The largest envelope (UTF-8 bytes) the bus takes; none: the relay's own limit only. */
  maxEventBytes?(): number;
  /** False while the bus is unreachable: the relay then waits instead of claiming rows it cannot publish. */
  available?(): boolean;
}

/** A row that can never be published, and why. */
export interface Unpublishable {
  event: OutboxEvent;
  kind: "too_large" | "refused";
  reason: string;
}

/** Takes unpublishable rows off the relay's hands, in the transaction that takes them off the queue. */
export type UnpublishableSink = (tx: Tx, rows: readonly Unpublishable[]) => Promise<void>;

export interface RelayOptions {
  batchSize: number;
  concurrency: number;
  pollMs: number;
  /**
   * A loop waits this long before each pass, so the commits of those few milliseconds go out in one
   * pass: under load a pass per commit cost more statements than the business transactions that fed it.
   */
  coalesceMs?: number;
  /** The largest envelope published (UTF-8 bytes); a larger row is unpublishable. Default: no limit. */
  maxEventBytes?: number;
}

export interface RelayObserver {
  published(events: readonly OutboxEvent[]): void;
  /** `streak`: failed passes in a row, all loops together (1: the first since the relay last worked). */
  failed(error: unknown, streak: number): void;
  /** A pass worked after `failures` failed ones. */
  recovered?(failures: number): void;
  poisoned?(rows: readonly Unpublishable[]): void;
}

/** After a failed pass a loop waits 100 ms, doubling to 5 s, less up to a quarter at random. */
function backoffMs(failures: number): number {
  return Math.min(5_000, 100 * 2 ** Math.min(failures - 1, 6)) * (1 - Math.random() / 4);
}

/**
 * Moves committed outbox rows to the bus. Each pass locks bucket rows with SKIP LOCKED, so
 * several relays (or several loops of one) work in parallel while a partition key's events are
 * only ever published by one of them, in outbox order (DESIGN §8: never poll by "id > last").
 */
export class Relay {
  private running = false;
  private loops: Promise<void>[] = [];
  private wakeups: Array<() => void> = [];
  private nextBucket = 0;
  private woken = false;
  /** A loop was woken by a commit and has not claimed yet. */
  private armed = false;
  /** Loops in the middle of a pass. */
  private busy = 0;
  /** Failed passes in a row, across loops: logs say "failing" once and "recovered" once. */
  private failures = 0;
  /** Loops sitting out a backoff; `resume()` (the bus is back) and `stop()` cut it short. */
  private readonly pauses = new Set<() => void>();

  constructor(
    private readonly db: Db,
    private readonly publisher: Publisher,
    private readonly options: RelayOptions,
    private readonly observer: RelayObserver,
    private readonly unpublishable?: UnpublishableSink,
  ) {}

  /** The bus is back: loops waiting out a backoff claim again now. */
  resume(): void {
    [...this.pauses].forEach((end) => end());
  }

  private maxEventBytes(): number {
    return Math.min(this.options.maxEventBytes ?? Infinity, this.publisher.maxEventBytes?.() ?? Infinity);
  }

  /**
   * One pass: claims a share of the buckets that have pending rows and publishes their oldest rows,
   * in outbox order. Returns how many events it published.
   */
  async runOnce(): Promise<number> {
    return (await this.pass()).published;
  }

  /**
   * PostgreSQL plans the claim on every pass: the pending table swings between empty and full.
   * PGlite keeps one generic plan: planning runs in WASM there (about a third of a pass), and the
   * claim is written so that its generic plan probes the same indexes. Back to back, embedded
   * purchases went from 213–224 to 230–242/s and the embedded relay from 20,921–22,523 to
   * 22,371–25,510 events/s.
   */
  private get customPlans(): boolean {
    return this.db.engine === "postgres";
  }

  /**
   * `more`: the pass filled its batch or its share of buckets, so rows may be waiting that it did not take.
   * `retry`: some rows failed for now and went back to the queue; the loop backs off before the next pass.
   */
  private async pass(): Promise<{ published: number; more: boolean; retry?: unknown }> {
    const start = this.nextBucket++ % OUTBOX_BUCKETS;
    const share = Math.ceil(OUTBOX_BUCKETS / Math.max(1, this.options.concurrency));
    return this.db.tx(
      async (tx) => {
        // Claim, take and read in one statement: the bucket locks hold until commit, so the rows taken
        // come back if publishing fails, and no other relay takes a claimed bucket's rows meanwhile.
        const rows = await tx.query<{
          position: string | number;
          bucket: number;
          event_id: string;
          type: string;
          occurred_at: Date;
          json: string;
          traceparent: string | null;
        }>(
          // Written so that every plan (generic plans too: statements are prepared) probes indexes:
          // a hash join over a work queue full of dead rows cost milliseconds per pass under load.
          `WITH claimed AS (
           SELECT b.bucket FROM platform.outbox_buckets b,
                  LATERAL (SELECT 1 FROM platform.outbox_pending p WHERE p.bucket = b.bucket ORDER BY p.bucket, p.position LIMIT 1) waiting
            ORDER BY (b.bucket - $1 + ${OUTBOX_BUCKETS}) % ${OUTBOX_BUCKETS}
            LIMIT $2 FOR UPDATE OF b SKIP LOCKED),
         taken AS (
           DELETE FROM platform.outbox_pending WHERE position = ANY (ARRAY(
             SELECT t.position FROM claimed c,
                    LATERAL (SELECT p.position FROM platform.outbox_pending p WHERE p.bucket = c.bucket ORDER BY p.position LIMIT $3) t
              ORDER BY t.position LIMIT $3))
           RETURNING position)
         SELECT o.position, o.bucket, o.event_id, o.type, o.occurred_at, o.envelope::text AS json,
                o.envelope->'metadata'->>'traceparent' AS traceparent
           FROM platform.outbox o WHERE o.position = ANY (ARRAY(SELECT position FROM taken)) ORDER BY o.position`,
          [start, share, this.options.batchSize],
        );
        if (rows.rows.length === 0) return { published: 0, more: false };
        const limit = this.maxEventBytes();
        const events: OutboxEvent[] = [];
        const unpublishable: Unpublishable[] = [];
        for (const row of rows.rows) {
          const event = {
            position: row.position,
            bucket: row.bucket,
            eventId: row.event_id,
            type: row.type,
            occurredAt: new Date(row.occurred_at),
            json: row.json,
            traceparent: row.traceparent,
          };
          // The size is checked in memory: `json.length` counts UTF-16 units and UTF-8 spends at most
          // 3 bytes on one, so only a row within a factor 3 of the limit is measured at all.
          const bytes = row.json.length * 3 <= limit ? 0 : Buffer.byteLength(row.json);
          if (bytes > limit)
            unpublishable.push({ event, kind: "too_large", reason: `the envelope is ${bytes} bytes; the bus takes at most ${limit}` });
          else events.push(event);
        }
        const outcome = events.length > 0 ? await this.publisher.publish(tx, events) : undefined;
        let published: readonly OutboxEvent[] = events;
        let retry: unknown;
        if (outcome && (outcome.refused.length > 0 || outcome.failed.length > 0)) {
          for (const { event, reason } of outcome.refused) unpublishable.push({ event, kind: "refused", reason });
          published = await this.requeueFailed(tx, events, outcome);
          retry = outcome.failed[0]?.error;
        }
        if (unpublishable.length > 0) {
          // In this transaction: the rows leave the queue if and only if their dead letters are written.
          if (!this.unpublishable) throw new Error(`unpublishable outbox rows and nowhere to put them: ${unpublishable[0]!.reason}`);
          await this.unpublishable(tx, unpublishable);
          this.observer.poisoned?.(unpublishable);
        }
        this.observer.published(published);
        const buckets = new Set(rows.rows.map((row) => row.bucket)).size;
        return { published: published.length, more: rows.rows.length >= this.options.batchSize || buckets >= share, retry };
      },
      { customPlans: this.customPlans },
    );
  }

  /**
   * Some rows failed for now while others went out: the buckets with a failure go back to the queue
   * whole (what did go out of them is published again, and JetStream drops it by Nats-Msg-Id), the
   * other buckets are done. Returns the events that count as published.
   */
  private async requeueFailed(tx: Tx, events: readonly OutboxEvent[], outcome: PublishOutcome): Promise<OutboxEvent[]> {
    const refused = new Set(outcome.refused.map(({ event }) => event));
    const failedBuckets = new Set(outcome.failed.map(({ event }) => event.bucket));
    const again = events.filter((event) => failedBuckets.has(event.bucket) && !refused.has(event));
    if (again.length > 0) {
      await tx.query(
        `INSERT INTO platform.outbox_pending (position, bucket) SELECT * FROM unnest($1::bigint[], $2::smallint[]) ON CONFLICT DO NOTHING`,
        [again.map((event) => event.position), again.map((event) => event.bucket)],
      );
    }
    return events.filter((event) => !failedBuckets.has(event.bucket) && !refused.has(event));
  }

  /** Publishes until the outbox is empty (tests, shutdown). */
  async drain(): Promise<number> {
    let total = 0;
    for (let published = await this.runOnce(); published > 0; published = await this.runOnce()) total += published;
    return total;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.armed = false;
    for (let i = 0; i < this.options.concurrency; i++) this.loops.push(this.loop());
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wakeAll();
    this.resume();
    await Promise.all(this.loops);
    this.loops = [];
  }

  /**
   * Called after a commit that wrote outbox rows. Wakes ONE idle loop, unless one is already woken
   * and has not claimed yet: its claim will see this commit too, so a burst of commits makes one
   * pass, not one each. With no loop idle, the busy ones are told to look once more.
   */
  wake(): void {
    // A busy loop holds buckets under an older snapshot and could leave this commit's row behind:
    // absorb the wake only when no loop is mid-pass.
    if (this.armed && this.busy === 0) return;
    const next = this.wakeups.shift();
    if (next) {
      this.armed = true;
      next();
    } else this.woken = true;
  }

  private wakeAll(): void {
    this.woken = true;
    this.wakeups.splice(0).forEach((resolve) => resolve());
  }

  /** Waits `ms`, or less if the bus comes back or the relay stops; commits do not cut it short. */
  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const end = () => {
        clearTimeout(timer);
        this.pauses.delete(end);
        resolve();
      };
      const timer = setTimeout(end, ms);
      this.pauses.add(end);
    });
  }

  private failedPass(error: unknown): number {
    this.observer.failed(error, ++this.failures);
    return backoffMs(this.failures);
  }

  private async loop(): Promise<void> {
    let byCommit = false;
    while (this.running) {
      // The bus is down: claiming would hold bucket locks for a publish timeout and fail. Wait for it
      // (resume() ends the wait when it is back), so an outage costs neither CPU nor log lines.
      if (this.publisher.available?.() === false) {
        await this.pause(backoffMs(6));
        continue;
      }
      this.woken = false;
      const coalesce = this.options.coalesceMs ?? 0;
      if (coalesce > 0) await new Promise((resolve) => setTimeout(resolve, coalesce));
      if (byCommit) this.armed = false; // commits from here on are not covered by this claim
      this.busy++;
      let backoff = 0;
      try {
        const { more, retry } = await this.pass();
        if (retry !== undefined) backoff = this.failedPass(retry);
        else if (this.failures > 0) {
          this.observer.recovered?.(this.failures);
          this.failures = 0;
        }
        if (more && backoff === 0) {
          this.wake(); // a backlog, or buckets beyond this loop's share: bring one more loop in, and keep going
          byCommit = false;
          continue;
        }
      } catch (error) {
        // Not at once again, and not at the next commit's wake-up either: a failing bus or database
        // made this loop spin (and log) at commit rate.
        backoff = this.failedPass(error);
      } finally {
        this.busy--;
      }
      byCommit = false;
      if (backoff > 0) {
        await this.pause(backoff);
        continue;
      }
      if (this.woken) continue;
      byCommit = await new Promise<boolean>((resolve) => {
        const wakeup = () => {
          clearTimeout(timer);
          resolve(true);
        };
        // The poll is the fallback: a loop that wakes by it leaves the queue, so wake() never picks a stale waiter.
        const timer = setTimeout(() => {
          this.wakeups = this.wakeups.filter((waiting) => waiting !== wakeup);
          resolve(false);
        }, this.options.pollMs);
        this.wakeups.push(wakeup);
      });
    }
  }
}
