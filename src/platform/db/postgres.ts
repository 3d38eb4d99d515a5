import pg from "pg";
import type { Db, QueryResult, Tx, TxOptions } from "./db.js";
import { SYSTEM_SCOPE } from "./db.js";
import { planSettings, runHooks, transactionOn } from "./transaction.js";
import { APP_ROLE } from "./roles.js";

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

export class PostgresDb implements Db {
  readonly engine = "postgres" as const;
  constructor(readonly pool: pg.Pool) {}

  /**
   * Every pooled session assumes the non-superuser application role, so row-level security applies
   * even when the login user is a superuser (as on a developer machine).
   */
  static open(url: string, poolSize: number): PostgresDb {
    const pool = new pg.Pool({ connectionString: url, max: poolSize, options: `-c role=${APP_ROLE}` });
    // An idle client killed by the server (restart, failover) must not crash the process; the pool replaces it.
    pool.on("error", () => undefined);
    return new PostgresDb(pool);
  }

  async query<R>(text: string, params?: readonly unknown[]): Promise<QueryResult<R>> {
    const result = await this.pool.query(statement(text, params) as pg.QueryConfig);
    return { rows: result.rows as R[], rowCount: result.rowCount ?? 0 };
  }

  async tx<T>(fn: (tx: Tx) => Promise<T>, options: TxOptions = {}): Promise<T> {
    const client = await this.pool.connect();
    const sql = {
      query: async <R>(text: string, params?: readonly unknown[]) => {
        const result = await client.query(statement(text, params) as pg.QueryConfig);
        return { rows: result.rows as R[], rowCount: result.rowCount ?? 0 };
      },
    };
    let broken = false;
    try {
      // One round trip for all: each statement sent is a syscall and a wait, on every transaction.
      const settings = [["app.tenant_id", options.tenantId ?? SYSTEM_SCOPE], ...planSettings(options)];
      await client.query(`BEGIN; SELECT ${settings.map(([name, value]) => `set_config('${name}', ${client.escapeLiteral(value!)}, true)`).join(", ")}`);
      const { tx, commitHooks, flushDeferred } = transactionOn(sql);
      const value = await fn(tx);
      await flushDeferred();
      await client.query("COMMIT");
      runHooks(commitHooks);
      return value;
    } catch (error) {
      await client.query("ROLLBACK").catch(() => {
        broken = true;
      });
      throw error;
    } finally {
      client.release(broken);
    }
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
