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
  /**
   * Runs a statement whose result nobody needs, without waiting for it: on PostgreSQL it leaves in
   * the same round trip as the statements after it. If it fails, the transaction fails with its
   * error (at the next awaited statement, at the end of a savepoint, or at commit).
   */
  send(text: string, params?: readonly unknown[]): void;
  /** Runs `fn` inside a savepoint: a throw rolls back only its work (deferred writes too), then rethrows. */
  savepoint<T>(fn: () => Promise<T>): Promise<T>;
  /** Runs after a successful commit (e.g. to wake the relay); never on rollback. */
  afterCommit(fn: () => void): void;
  /** This transaction's instance of a deferred writer (see `DeferredWrites`), created on first use. */
  deferred<D extends DeferredWrites>(key: object, create: () => D): D;
  /** A write-only statement to run with the others just before COMMIT (see `DeferredWrites`). */
  later(write: Write): void;
  /**
   * This transaction's value for `key`, computed on first use: what a transaction learnt once and
   * reads again (an order it placed or loaded, the ids it minted). Gone with the transaction; a
   * savepoint's rollback keeps it, so memoise facts, never writes (those are `deferred`).
   */
  memo<T>(key: object, compute: () => T): T;
  /**
   * Writes the deferred buffers now (one statement). A consumer batch calls it inside its savepoint,
   * so a write that fails is that batch's failure — isolated, retried, dead-lettered — not the commit's.
   */
  flush(): Promise<void>;
}

/** SQL with its values in place, numbered only when combined: see `sqlText` (sql-text.ts). */
export interface SqlText {
  readonly strings: readonly string[];
  readonly values: readonly unknown[];
}

/**
 * A statement for the combined pre-commit write: INSERT/UPDATE/DELETE parts that become common
 * table expressions of ONE statement, each with its own values (a `cte(i)` among them names the
 * i-th part of the same write).
 */
export interface Write {
  ctes: SqlText[];
}

/**
 * Rows a component collects during a transaction (outbox envelopes, saga bookkeeping), written
 * with every other deferred write in ONE statement just before COMMIT. Every statement is a round
 * trip and, on this kind of machine, a pair of system calls on each side: writing late and together
 * is the cheapest way to write. All parts of that statement see the same snapshot, so a deferred
 * write must be write-only (nothing in the transaction reads it back) and touch rows no other
 * part of the flush touches.
 */
export interface DeferredWrites {
  /** Lower comes first in the combined statement's text (all parts still run on one snapshot). */
  readonly order: number;
  /**
   * The tables (`schema.table`, as statements name them) whose rows this buffer holds, when the
   * transaction may read them back: a statement that names one of them, sent or queried, leaves
   * after this buffer's write. No reader has to remember to flush first. Write-only buffers (the
   * outbox, saga bookkeeping) name none, so the statements around them never wait for them.
   */
  readonly tables?: readonly string[];
  /** Empties the buffer into writes (none when it holds nothing). */
  drain(): Write[];
  /** A savepoint starts: where the buffer stands. */
  mark(): unknown;
  /** That savepoint rolled back: forget what came after `mark` (undefined: everything). */
  rollback(mark: unknown): void;
}

export interface TxOptions {
  /**
   * Row-level security scope. A tenant id limits tenant-owned rows to that tenant; `SYSTEM_SCOPE`
   * (the default) sees every tenant's, for workers and platform admins.
   */
  tenantId?: TenantScope;
  /**
   * Plan each statement for its parameters on every call (PostgreSQL), instead of once per session.
   * For statements over tables that swing between empty and full, where a plan made while a table
   * was small (a sequential scan) would be kept while it grows.
   */
  customPlans?: boolean;
}

export interface Db extends Sql {
  readonly engine: "pglite" | "postgres";
  tx<T>(fn: (tx: Tx) => Promise<T>, options?: TxOptions): Promise<T>;
  close(): Promise<void>;
}

/**
 * The scope that sees every tenant's rows. A symbol, not a string, so no value a request carries
 * (a token's tid, a path, a body) can be it: the adapters turn it into a setting of its own
 * (`app.system_scope`), which the row-level security policies read beside `app.tenant_id`.
 */
export const SYSTEM_SCOPE: unique symbol = Symbol("system scope");

/** A row-level security scope: one tenant's rows, or every tenant's. */
export type TenantScope = string | typeof SYSTEM_SCOPE;
