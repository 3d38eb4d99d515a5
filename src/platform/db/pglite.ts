import { PGlite, parse, protocol, type Results } from "@electric-sql/pglite";
import type { Db, QueryResult, Sql, TxOptions } from "./db.js";
import { runHooks, SCOPE_STATEMENT, scopeParams, transactionOn } from "./transaction.js";

type BackendMessage = Awaited<ReturnType<PGlite["execProtocolStream"]>>[number];

interface Prepared {
  name: string;
  paramTypes: number[];
  /** What Describe said of the statement's rows, replayed before each execution's data rows. */
  rowDescription: BackendMessage | undefined;
}

const MAX_NAMED = 2_000;

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((length, part) => length + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/** Embedded adapter: one in-process Postgres (WASM). One connection, so transactions run one at a time. */
export class PgliteDb implements Db {
  readonly engine = "pglite" as const;
  /**
   * Statements in transactions run as named prepared statements, as on PostgreSQL: `PGlite.query`
   * parses, analyses and plans every statement on every call (and crosses into WASM six times),
   * which was most of the embedded server's time per purchase.
   */
  private readonly prepared = new Map<string, Prepared>();

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
      const sql: Sql = {
        query: async <R>(text: string, params?: readonly unknown[]) => {
          if (params && params.length > 0 && (this.prepared.has(text) || this.prepared.size < MAX_NAMED))
            return this.runPrepared<R>(text, params);
          const result = await raw.query<R>(text, params as unknown[] | undefined);
          return { rows: result.rows, rowCount: result.affectedRows ?? result.rows.length };
        },
      };
      // Bound parameters, as on PostgreSQL: no value can end the statement early (see SCOPE_STATEMENT).
      await sql.query(SCOPE_STATEMENT, scopeParams(options));
      const { tx, commitHooks, submitCommitWrites } = transactionOn(sql);
      hooks = commitHooks;
      const result = await fn(tx);
      await submitCommitWrites();
      return result;
    });
    runHooks(hooks);
    return value;
  }

  /** Bind, execute and sync in one call into the engine; the statement is parsed once. */
  private runPrepared<R>(text: string, params: readonly unknown[]): Promise<QueryResult<R>> {
    return this.pg.runExclusive(async () => {
      const statement = this.prepared.get(text) ?? (await this.prepare(text));
      const values = params.map((value, i) => {
        if (value === null || value === undefined) return null;
        const serialize = this.pg.serializers[statement.paramTypes[i]!];
        return serialize ? serialize(value) : String(value);
      });
      const messages = await this.pg.execProtocolStream(
        concat([protocol.serialize.bind({ statement: statement.name, values }), protocol.serialize.execute({}), protocol.serialize.sync()]),
        { syncToFs: false },
      );
      const [result] = parse.parseResults(
        statement.rowDescription ? [statement.rowDescription, ...messages] : messages,
        this.pg.parsers,
      ) as Results<R>[];
      return { rows: result?.rows ?? [], rowCount: result?.affectedRows ?? result?.rows.length ?? 0 };
    });
  }

  private async prepare(text: string): Promise<Prepared> {
    const name = `p${this.prepared.size.toString(36)}`;
    const messages = await this.pg.execProtocolStream(
      concat([protocol.serialize.parse({ name, text }), protocol.serialize.describe({ type: "S", name }), protocol.serialize.sync()]),
      { syncToFs: false },
    );
    const prepared = {
      name,
      paramTypes: parse.parseDescribeStatementResults(messages),
      rowDescription: messages.find((message) => message.name === "rowDescription"),
    };
    this.prepared.set(text, prepared);
    return prepared;
  }

  async close(): Promise<void> {
    await this.pg.close();
  }
}
