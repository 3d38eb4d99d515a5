import pg from "pg";
import type { Db, QueryResult, Tx, TxOptions } from "./db.js";
import { runHooks, SCOPE_STATEMENT, scopeParams, transactionOn } from "./transaction.js";
import { APP_ROLE, SESSION_SCOPE_OPTION } from "./roles.js";
import { ConnectionLostError, ConnectionRefusedError } from "./connection-lost.js";

// int8 (bigint) columns hold counters and minor units well inside 2^53: return numbers, not strings.
pg.types.setTypeParser(20, (value) => Number(value));

/**
 * Parameterised statements run as named prepared statements: each pooled session parses and plans
 * one once, then only binds and executes it. Parsing and planning were most of the server's CPU per
 * statement (short statements, row-level security policies to expand), more than executing them.
 * The name is derived from the text, so the same text always reuses the same statement.
 */
const statementNames = new Map<string, string>();
const MAX_NAMED = 2_000;
function statement(text: string, params?: readonly unknown[]): pg.QueryConfig | string {
  if (!params || params.length === 0) return text; // multi-statement texts go by the simple protocol
  let name = statementNames.get(text);
  if (!name) {
    // A text built per call (a bug, not a design) would grow every session without bound: stop naming.
    if (statementNames.size >= MAX_NAMED) return { text, values: params as unknown[] };
    statementNames.set(text, (name = `g${statementNames.size.toString(36)}`));
  }
  return { name, text, values: params as unknown[] };
}

/** `pg` has no public flag for a client whose connection failed; the pool itself reads this one. */
const queryable = (client: pg.PoolClient) => (client as unknown as { _queryable?: boolean })._queryable !== false;

export class PostgresDb implements Db {
  readonly engine = "postgres" as const;
  constructor(readonly pool: pg.Pool) {}

  /**
   * Every pooled session assumes the non-superuser application role, so row-level security applies
   * even when the login user is a superuser (as on a developer machine). A statement outside a
   * transaction is in the system scope, like a transaction given no tenant (see `SESSION_SCOPE_OPTION`).
   */
  static open(url: string, poolSize: number): PostgresDb {
    const pool = new pg.Pool({
      connectionString: url,
      max: poolSize,
      options: `-c role=${APP_ROLE} ${SESSION_SCOPE_OPTION}`,
      pipeline: true,
    });
    // An idle client killed by the server (restart, failover) must not crash the process; the pool replaces it.
    pool.on("error", () => undefined);
    // Nor one killed while checked out. The pool listens only on idle clients, and a session ended
    // while it was being handed over (its last startup message and the FATAL in one read) errors
    // before \`tx\` can listen: every client keeps a listener for life. A lost session fails its
    // statements anyway, and the pool drops a client that is no longer queryable when it comes back.
    pool.on("connect", (client) => client.on("error", () => undefined));
    return new PostgresDb(pool);
  }

  /**
   * A read outside any transaction (entitlements, browse, ops lists) fails like a transaction does
   * when the database is gone: a refused checkout is 08001 and a session lost under the statement
   * 08006, so the caller answers 503 rather than 500. A server error on a live session keeps its code.
   */
  async query<R>(text: string, params?: readonly unknown[]): Promise<QueryResult<R>> {
    const client = await this.checkOut();
    let lost: unknown;
    try {
      const result = await client.query(statement(text, params) as pg.QueryConfig);
      return { rows: result.rows as R[], rowCount: result.rowCount ?? 0 };
    } catch (error) {
      if (queryable(client) && typeof (error as { code?: unknown }).code === "string") throw error;
      lost = error;
      throw new ConnectionLostError(error);
    } finally {
      client.release(lost === undefined ? undefined : (lost as Error));
    }
  }

  async tx<T>(fn: (tx: Tx) => Promise<T>, options: TxOptions = {}): Promise<T> {
    const client = await this.checkOut();
    // The pool listens for errors only on idle clients: a session that dies while checked out
    // (pg_terminate_backend, failover) emits 'error' here, and with no listener that kills the process.
    let lost: unknown;
    const onError = (error: unknown) => {
      lost ??= error;
    };
    client.on("error", onError);
    const stream = client.connection.stream;
    let corked = false;
    // Statements submitted in the same tick leave in one write: a write is a system call here and a
    // wake-up of the backend there, and on this kind of machine those cost more than most statements.
    const submit = (query: string | pg.QueryConfig) => {
      if (!corked) {
        corked = true;
        stream.cork();
        process.nextTick(() => {
          corked = false;
          stream.uncork();
        });
      }
      return client.query(query as pg.QueryConfig);
    };
    const sql = {
      query: async <R>(text: string, params?: readonly unknown[]) => {
        const result = await submit(statement(text, params));
        return { rows: result.rows as R[], rowCount: result.rowCount ?? 0 };
      },
    };
    let broken = false;
    let begun: Promise<unknown> = Promise.resolve();
    try {
      // The client pipelines: BEGIN and the scope are not waited for, they go out with the
      // transaction's first statement. BEGIN goes alone, so no value can cut it from what follows.
      begun = Promise.all([submit("BEGIN"), submit(statement(SCOPE_STATEMENT, scopeParams(options)))]);
      begun.catch(() => undefined); // its failure fails every later statement; it is awaited below
      const { tx, commitHooks, submitCommitWrites } = transactionOn(sql);
      const value = await fn(tx);
      // The pre-commit write is submitted synchronously, so COMMIT follows it in the same write. If it
      // fails, the server ends the aborted transaction with a ROLLBACK in answer to that COMMIT.
      const written = submitCommitWrites();
      const committed = submit("COMMIT");
      // All three are awaited whatever happens: a lost connection rejects every one of them.
      const [b, w, c] = await Promise.allSettled([begun, written, committed]);
      for (const outcome of [b, w, c]) if (outcome.status === "rejected") throw outcome.reason;
      if (c.status === "fulfilled" && c.value.command !== "COMMIT") throw new Error("the transaction was rolled back at COMMIT");
      runHooks(commitHooks);
      return value;
    } catch (error) {
      if (lost === undefined && !queryable(client)) lost = error; // lost before `tx` listened
      if (lost === undefined) {
        await submit("ROLLBACK").catch(() => {
          broken = true;
        });
      }
      // A scope that failed (a value the server refused) is the cause of whatever failed after it.
      const scopeError = await begun.then(
        () => undefined,
        (reason: unknown) => reason,
      );
      throw lost !== undefined ? new ConnectionLostError(lost) : (scopeError ?? error);
    } finally {
      client.removeListener("error", onError);
      // A lost or broken session is discarded, not handed to the next transaction.
      client.release(lost instanceof Error ? lost : broken);
    }
  }

  /**
   * A client whose session died while it was being handed over (its error came before `tx` could
   * listen) is dropped and another taken, a few times; a pool that cannot open one is unavailable.
   */
  private async checkOut(): Promise<pg.PoolClient> {
    for (let attempt = 1; ; attempt++) {
      const client = await this.pool.connect().catch((error: unknown) => {
        throw new ConnectionRefusedError(error);
      });
      if (queryable(client)) return client;
      const dead = new Error("the session ended while it was being checked out");
      client.release(dead);
      if (attempt === 3) throw new ConnectionLostError(dead);
    }
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
