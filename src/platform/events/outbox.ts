import type { Tx, Write } from "../db/db.js";
import { DeferredRows } from "../db/deferred-rows.js";
import { cte, sqlText } from "../db/sql-text.js";
import { runWrite } from "../db/transaction.js";
import type { Envelope } from "./envelope.js";
import type { EventRegistry } from "./registry.js";

export const OUTBOX_BUCKETS = 16;

/** FNV-1a: a stable partition-key → bucket map, so one relay at a time owns a key's order. */
export function bucketOf(partitionKey: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < partitionKey.length; i++) {
    hash ^= partitionKey.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % OUTBOX_BUCKETS;
}

/** A payload that does not match its registered schema is a bug in the producer, never a user error. */
export class EventContractError extends Error {
  constructor(type: string, detail: string) {
    super(`event ${type} breaks its contract: ${detail}`);
    this.name = "EventContractError";
  }
}

/**
 * The transactional outbox: events are rows written in the business transaction, so an event
 * exists if and only if the state change committed (invariant 1).
 */
export class Outbox {
  private readonly appendedListeners: Array<() => void> = [];

  constructor(private readonly registry: EventRegistry) {}

  onAppended(listener: () => void): void {
    this.appendedListeners.push(listener);
  }

  /**
   * Queues envelopes to be written with the transaction, in one statement just before it commits
   * (a step that emits three events makes one insert, not three). The payload is checked now, so a
   * broken contract fails the caller's own statement, not the commit.
   */
  async append(tx: Tx, envelopes: readonly Envelope[]): Promise<void> {
    if (envelopes.length === 0) return;
    // Dual publish happens here, for every producer at once: a type with a declared `.v2` (or `.v1`)
    // is written with it, the pair side by side.
    const published = this.registry.withEveryVersion(envelopes);
    this.check(published);
    // One buffer per transaction, in append order (which becomes the envelopes' outbox order).
    tx.deferred(this, () => new DeferredRows<Envelope>(100, (rows) => [this.deferredWrite(tx, rows)])).rows.push(...published);
  }

  /**
   * Writes now and returns how many were new: an already-known eventId is skipped (ingest's dedupe).
   * No dual publish: what is stored here was produced elsewhere, as it came.
   * Rows written now come before any appended earlier in the transaction, so do not mix the two
   * for one partition key in one transaction.
   */
  async store(tx: Tx, envelopes: readonly Envelope[]): Promise<number> {
    if (envelopes.length === 0) return 0;
    this.check(envelopes);
    return this.write(tx, envelopes);
  }

  private check(envelopes: readonly Envelope[]): void {
    for (const event of envelopes) {
      const errors = this.registry.validate(event.type, event.payload);
      if (errors === undefined) throw new EventContractError(event.type, "unknown wire type");
      if (errors.length > 0) throw new EventContractError(event.type, errors.map((e) => `${e.path} ${e.message}`).join("; "));
    }
  }

  /** Writes now; returns how many envelopes were new. */
  private async write(tx: Tx, envelopes: readonly Envelope[]): Promise<number> {
    const result = await runWrite<{ stored: number }>(tx, outboxWrite(envelopes), "SELECT count(*)::int AS stored FROM w0_0");
    tx.afterCommit(() => this.notifyAppended());
    return result.rows[0]!.stored;
  }

  /** The deferred buffer's flush: the commit's listeners (the relay's wake-up) are told after it. */
  private deferredWrite(tx: Tx, envelopes: readonly Envelope[]): Write {
    tx.afterCommit(() => this.notifyAppended());
    return outboxWrite(envelopes);
  }

  private notifyAppended(): void {
    this.appendedListeners.forEach((listener) => listener());
  }
}

/** The log row and its work-queue row; an already-known eventId adds neither. */
function outboxWrite(envelopes: readonly Envelope[]): Write {
  const column = <T>(pick: (e: Envelope) => T) => envelopes.map(pick);
  return {
    ctes: [
      sqlText`INSERT INTO platform.outbox (event_id, type, partition_key, bucket, aggregate_id, correlation_id, tenant_id, occurred_at, envelope)
       SELECT * FROM unnest(${column((e) => e.eventId)}::text[], ${column((e) => e.type)}::text[], ${column((e) => e.partitionKey)}::text[],
         ${column((e) => bucketOf(e.partitionKey))}::smallint[], ${column((e) => e.aggregateId)}::text[], ${column((e) => e.correlationId)}::text[],
         ${column((e) => e.tenantId)}::text[], ${column((e) => e.occurredAt)}::timestamptz[], ${column((e) => JSON.stringify(e))}::jsonb[])
       ON CONFLICT (event_id) DO NOTHING
       RETURNING position, bucket`,
      sqlText`INSERT INTO platform.outbox_pending (position, bucket) SELECT position, bucket FROM ${cte(0)}`,
    ],
  };
}
