/**
 * The database port. Two adapters (PGlite for embedded mode, a `pg` pool for PostgreSQL) run the
 * same SQL. Business code sees `Sql` inside a transaction opened by `Db.tx`.
 */
export interface QueryResult<R> {
  rows: R[];
  rowCount: number;
}

export interface Sql {
  query<R = Record<string, unknown>>(text: string, params?: readonly unknown[]): Promise<QueryResult<R>>;
}

export interface Tx extends Sql {
  /** Runs `fn` inside a savepoint: a throw rolls back only its work (deferred writes too), then rethrows. */
  savepoint<T>(fn: () => Promise<T>): Promise<T>;
  /** Runs after a successful commit (e.g. to wake the relay); never on rollback. */
  afterCommit(fn: () => void): void;
  /** This transaction's instance of a deferred writer (see `DeferredWrites`), created on first use. */
  deferred<D extends DeferredWrites>(key: object, create: () => D): D;
}

/**
 * Rows a component collects during a transaction and writes in ONE statement just before COMMIT
 * (outbox envelopes, saga bookkeeping). Every statement is a round trip and, on this kind of
 * machine, a pair of system calls on each side: writing late and together is the cheapest way to
 * write. Deferred rows are invisible to reads in the same transaction, so only write-only rows
 * belong here.
 */
export interface DeferredWrites {
  /** Lower flushes first: saga bookkeeping (0) before the outbox (100). */
  readonly order: number;
  flush(tx: Tx): Promise<void>;
  /** A savepoint starts: where the buffer stands. */
  mark(): unknown;
  /** That savepoint rolled back: forget what came after `mark` (undefined: everything). */
  rollback(mark: unknown): void;
}

export interface TxOptions {
  /**
   * Row-level security scope. A tenant id limits tenant-owned rows to that tenant;
   * `"*"` is the system scope used by workers and platform admins.
   */
  tenantId?: string;
}

export interface Db extends Sql {
  readonly engine: "pglite" | "postgres";
  tx<T>(fn: (tx: Tx) => Promise<T>, options?: TxOptions): Promise<T>;
  close(): Promise<void>;
}

export const SYSTEM_SCOPE = "*";
