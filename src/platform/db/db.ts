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
  /** Runs `fn` inside a savepoint: a throw rolls back only its work, then rethrows. */
  savepoint<T>(fn: () => Promise<T>): Promise<T>;
  /** Runs after a successful commit (e.g. to wake the relay); never on rollback. */
  afterCommit(fn: () => void): void;
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
