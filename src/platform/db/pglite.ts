import { PGlite } from "@electric-sql/pglite";
import type { Db, QueryResult, TxOptions } from "./db.js";
import { SYSTEM_SCOPE } from "./db.js";
import { runHooks, transactionOn } from "./transaction.js";

/** Embedded adapter: one in-process Postgres (WASM). One connection, so transactions run one at a time. */
export class PgliteDb implements Db {
  readonly engine = "pglite" as const;
  private constructor(private readonly pg: PGlite) {}

  /** `dataDir` undefined keeps everything in memory (tests). */
  static async open(dataDir?: string): Promise<PgliteDb> {
    const pg = dataDir ? new PGlite(dataDir) : new PGlite();
    await pg.waitReady;
    return new PgliteDb(pg);
  }

  async query<R>(text: string, params?: readonly unknown[]): Promise<QueryResult<R>> {
    const result = await this.pg.query<R>(text, params as unknown[] | undefined);
    return { rows: result.rows, rowCount: result.affectedRows ?? result.rows.length };
  }

  /** Multi-statement SQL (migrations). */
  async exec(text: string): Promise<void> {
    await this.pg.exec(text);
  }

  async tx<T>(fn: (tx: import("./db.js").Tx) => Promise<T>, options: TxOptions = {}): Promise<T> {
    let hooks: Array<() => void> = [];
    const value = await this.pg.transaction(async (raw) => {
      const sql = {
        query: async <R>(text: string, params?: readonly unknown[]) => {
          const result = await raw.query<R>(text, params as unknown[] | undefined);
          return { rows: result.rows, rowCount: result.affectedRows ?? result.rows.length };
        },
      };
      await sql.query("SELECT set_config('app.tenant_id', $1, true)", [options.tenantId ?? SYSTEM_SCOPE]);
      const { tx, commitHooks, flushDeferred } = transactionOn(sql);
      hooks = commitHooks;
      const result = await fn(tx);
      await flushDeferred();
      return result;
    });
    runHooks(hooks);
    return value;
  }

  async close(): Promise<void> {
    await this.pg.close();
  }
}
