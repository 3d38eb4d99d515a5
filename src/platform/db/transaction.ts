import type { DeferredWrites, QueryResult, Sql, Tx, TxOptions, Write } from "./db.js";
import { SYSTEM_SCOPE } from "./db.js";
import { DeferredRows } from "./deferred-rows.js";
import { CteRef } from "./sql-text.js";

export interface OpenTransaction {
  tx: Tx;
  commitHooks: Array<() => void>;
  /** Writes every deferred buffer in one statement (none when they are empty). */
  flushDeferred(): Promise<void>;
  /**
   * What the adapter does right before COMMIT: submits the deferred write before returning (so a
   * COMMIT submitted next travels with it), and settles when it and every sent statement have
   * completed, with the first failure among them.
   */
  submitCommitWrites(): Promise<void>;
}

/**
 * Transactions run short statements written to probe indexes, so their plans are made once per
 * session (generic) instead of on every call: the planner otherwise re-plans an `= ANY($1)`
 * statement whenever one element looks cheaper than its generic estimate, and a listing read spent
 * five times longer planning than running. A generic plan is kept until its tables are next
 * analysed, so one made while a table was nearly empty (a fresh database, the first orders) would
 * scan the whole table on every call while it grows: sequential scans are priced out where an
 * index exists, and PGlite, which has no autovacuum, analyses its stale tables itself
 * (`embeddedAutovacuum`). Reads outside transactions (browse, ops listings) and transactions that ask for
 * `customPlans` (the relay's claim) keep the planner's own choice on every call.
 */
export function planSettings(options: TxOptions): Array<[setting: string, value: string]> {
  return options.customPlans
    ? [
        ["plan_cache_mode", "force_custom_plan"],
        ["enable_seqscan", "on"],
      ]
    : [
        ["plan_cache_mode", "force_generic_plan"],
        ["enable_seqscan", "off"],
      ];
}

/**
 * The statement that opens every transaction's scope, after a plain BEGIN. Its values are bound
 * parameters, never text spliced into SQL: a NUL in a tenant id once cut a simple-protocol
 * `BEGIN; SELECT set_config(…)` short, so BEGIN ran alone and the work after it committed statement
 * by statement. Now such a value fails this statement, and with it the whole transaction.
 */
export const SCOPE_STATEMENT = `SELECT set_config('app.tenant_id', $1, true), set_config('app.system_scope', $2, true), set_config('plan_cache_mode', $3, true), set_config('enable_seqscan', $4, true)`;

/** `SCOPE_STATEMENT`'s parameters. The system scope is its own setting: no tenant id can turn it on. */
export function scopeParams(options: TxOptions): string[] {
  const scope = options.tenantId ?? SYSTEM_SCOPE;
  const [[, planCacheMode], [, enableSeqscan]] = planSettings(options) as [[string, string], [string, string]];
  return scope === SYSTEM_SCOPE ? ["", "on", planCacheMode, enableSeqscan] : [scope, "off", planCacheMode, enableSeqscan];
}

/** Key of the buffer of free-standing writes handed to `tx.later`, in the order given. */
const LATER = {};

/**
 * Folds writes into one statement: each write's CTEs get names unique in the statement (`w0_0` is
 * the first write's first) and each value its `$n`, in the order the statement holds them. One
 * array (or other object) placed twice in a part is sent once: a part that joins over `unnest(ids)`
 * and probes `= ANY (ids)` names the same parameter in both. `select` ends the statement.
 */
export function combineWrites(writes: readonly Write[], select = "SELECT 1"): { text: string; params: unknown[] } {
  const params: unknown[] = [];
  const ctes = writes.flatMap((write, w) =>
    write.ctes.map((part, i) => {
      const placed = new Map<unknown, number>();
      const placeholder = (value: unknown): string => {
        if (value instanceof CteRef) return `w${w}_${value.index}`;
        if (typeof value !== "object" || value === null) return `$${params.push(value)}`;
        let n = placed.get(value);
        if (n === undefined) placed.set(value, (n = params.push(value)));
        return `$${n}`;
      };
      let text = part.strings[0]!;
      part.values.forEach((value, k) => (text += placeholder(value) + part.strings[k + 1]!));
      return `w${w}_${i} AS (${text})`;
    }),
  );
  return { text: `WITH ${ctes.join(",\n")}\n${select}`, params };
}

/** Runs one write now, on its own (where the same write can also be deferred). */
export function runWrite<R = Record<string, unknown>>(sql: Sql, write: Write, select?: string): Promise<QueryResult<R>> {
  const { text, params } = combineWrites([write], select);
  return sql.query<R>(text, params);
}

/**
 * Shared by both adapters: savepoints, sent and deferred writes, and after-commit hooks over a
 * connection already in BEGIN. `sql.query` must submit its statement before it returns (both
 * adapters do), so statements keep the order in which they were called.
 */
export function transactionOn(sql: Sql): OpenTransaction {
  const commitHooks: Array<() => void> = [];
  const deferred = new Map<object, DeferredWrites>();
  /** The buffers whose rows the transaction may read back (`DeferredWrites.tables`). */
  const readBack: DeferredWrites[] = [];
  const memos = new Map<object, unknown>();
  let depth = 0;
  const sent: Array<Promise<void>> = [];
  let sendFailure: { error: unknown } | undefined;
  let closing = false;
  /** Waits for the sent statements; the first that failed is the transaction's failure. */
  async function settleSent(): Promise<void> {
    await Promise.all(sent.splice(0));
    const failure = sendFailure;
    sendFailure = undefined;
    if (failure) throw failure.error;
  }
  function open(): void {
    // A statement submitted after COMMIT would run outside the transaction, on a session that may
    // already serve another tenant's.
    if (closing) throw new Error("this transaction is committing: no statement can join it");
  }
  /**
   * A statement that names a table whose rows are buffered goes after their write: the write is
   * sent first (on PostgreSQL both leave in one round trip), and its failure is reported as the
   * cause of the statement's. A text match, not a rule readers follow: a reader cannot forget it.
   */
  function writeBefore(text: string): void {
    if (readBack.length === 0) return;
    const writes = readBack.filter((buffer) => buffer.tables!.some((table) => text.includes(table))).flatMap((buffer) => buffer.drain());
    if (writes.length === 0) return;
    const combined = combineWrites(writes);
    tx.send(combined.text, combined.params);
  }
  const tx: Tx = {
    // After a sent statement fails, the next ones fail only because the transaction is aborted:
    // report the cause, not that.
    query: <R>(text: string, params?: readonly unknown[]) => {
      open();
      writeBefore(text);
      return sent.length === 0
        ? sql.query<R>(text, params)
        : sql.query<R>(text, params).catch(async (error: unknown) => {
            await settleSent();
            throw error;
          });
    },
    send(text, params) {
      open();
      writeBefore(text);
      sent.push(
        sql.query(text, params).then(
          () => undefined,
          (error: unknown) => {
            sendFailure ??= { error };
          },
        ),
      );
    },
    async savepoint(fn) {
      const name = `sp_${++depth}`;
      const marks = new Map([...deferred].map(([key, writes]) => [key, writes.mark()] as const));
      // Neither end is waited for: SAVEPOINT leaves with the first statement inside, RELEASE with
      // the next one after (what was sent inside has succeeded by then, so RELEASE cannot fail).
      tx.send(`SAVEPOINT ${name}`);
      try {
        const value = await fn();
        await settleSent();
        tx.send(`RELEASE SAVEPOINT ${name}`);
        return value;
      } catch (error) {
        const sentFailure = await settleSent().then(
          () => undefined,
          (failure: unknown) => failure,
        );
        try {
          await sql.query(`ROLLBACK TO SAVEPOINT ${name}`);
        } catch {
          // The savepoint never began: a statement sent before it had failed, and that failure is
          // the transaction's, not this savepoint's.
          throw sentFailure ?? error;
        }
        for (const [key, writes] of deferred) writes.rollback(marks.get(key));
        throw error;
      } finally {
        depth--;
      }
    },
    afterCommit(fn) {
      commitHooks.push(fn);
    },
    deferred<D extends DeferredWrites>(key: object, create: () => D): D {
      let writes = deferred.get(key);
      if (!writes) {
        deferred.set(key, (writes = create()));
        if (writes.tables?.length) readBack.push(writes);
      }
      return writes as D;
    },
    memo<T>(key: object, compute: () => T): T {
      if (!memos.has(key)) memos.set(key, compute());
      return memos.get(key) as T;
    },
    later(write) {
      tx.deferred(LATER, () => new DeferredRows<Write>(50, (writes) => writes)).rows.push(write);
    },
    flush: () => flushDeferred(),
  };
  /** Not async: the write is submitted before this returns. */
  function flushDeferred(): Promise<void> {
    const writes = [...deferred.values()].sort((a, b) => a.order - b.order).flatMap((buffer) => buffer.drain());
    if (writes.length === 0) return Promise.resolve();
    const { text, params } = combineWrites(writes);
    return tx.query(text, params).then(() => undefined);
  }
  function submitCommitWrites(): Promise<void> {
    const flushed = flushDeferred();
    closing = true;
    return flushed.then(settleSent, async (error: unknown) => {
      await settleSent();
      throw error;
    });
  }
  return { tx, commitHooks, flushDeferred, submitCommitWrites };
}

export function runHooks(hooks: Array<() => void>): void {
  for (const hook of hooks) {
    try {
      hook();
    } catch {
      // A hook is a best-effort nudge (the relay also polls); it must never fail a committed transaction.
    }
  }
}
