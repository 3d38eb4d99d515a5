import type { Db, Tx } from "../db/db.js";
import { OUTBOX_BUCKETS } from "./outbox.js";

/** A committed outbox row as the relay hands it on: the stored JSON text and the facts it routes by. */
export interface OutboxEvent {
  eventId: string;
  type: string;
  occurredAt: Date;
  /** The envelope exactly as stored: JetStream gets these bytes without a parse/stringify round trip. */
  json: string;
}

/** Where the relay hands committed events: the in-process hub (same transaction) or JetStream. */
export interface Publisher {
  publish(tx: Tx, events: readonly OutboxEvent[]): Promise<void>;
}

export interface RelayOptions {
  batchSize: number;
  concurrency: number;
  pollMs: number;
  /**
   * A loop waits this long before each pass, so the commits of those few milliseconds go out in one
   * pass: under load a pass per commit cost more statements than the business transactions that fed it.
   */
  coalesceMs?: number;
}

export interface RelayObserver {
  published(events: readonly OutboxEvent[]): void;
  failed(error: unknown): void;
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

  constructor(
    private readonly db: Db,
    private readonly publisher: Publisher,
    private readonly options: RelayOptions,
    private readonly observer: RelayObserver,
  ) {}

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

  /** `more`: the pass filled its batch or its share of buckets, so rows may be waiting that it did not take. */
  private async pass(): Promise<{ published: number; more: boolean }> {
    const start = this.nextBucket++ % OUTBOX_BUCKETS;
    const share = Math.ceil(OUTBOX_BUCKETS / Math.max(1, this.options.concurrency));
    return this.db.tx(async (tx) => {
      // Claim, take and read in one statement: the bucket locks hold until commit, so the rows taken
      // come back if publishing fails, and no other relay takes a claimed bucket's rows meanwhile.
      const rows = await tx.query<{ bucket: number; event_id: string; type: string; occurred_at: Date; json: string }>(
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
         SELECT o.bucket, o.event_id, o.type, o.occurred_at, o.envelope::text AS json
           FROM platform.outbox o WHERE o.position = ANY (ARRAY(SELECT position FROM taken)) ORDER BY o.position`,
        [start, share, this.options.batchSize],
      );
      if (rows.rows.length === 0) return { published: 0, more: false };
      const events = rows.rows.map((row) => ({ eventId: row.event_id, type: row.type, occurredAt: new Date(row.occurred_at), json: row.json }));
      await this.publisher.publish(tx, events);
      this.observer.published(events);
      const buckets = new Set(rows.rows.map((row) => row.bucket)).size;
      return { published: events.length, more: events.length >= this.options.batchSize || buckets >= share };
    }, { customPlans: this.customPlans });
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

  private async loop(): Promise<void> {
    let byCommit = false;
    while (this.running) {
      this.woken = false;
      const coalesce = this.options.coalesceMs ?? 0;
      if (coalesce > 0) await new Promise((resolve) => setTimeout(resolve, coalesce));
      if (byCommit) this.armed = false; // commits from here on are not covered by this claim
      this.busy++;
      try {
        const { more } = await this.pass();
        if (more) {
          this.wake(); // a backlog, or buckets beyond this loop's share: bring one more loop in, and keep going
          byCommit = false;
          continue;
        }
      } catch (error) {
        this.observer.failed(error);
      } finally {
        this.busy--;
      }
      byCommit = false;
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
