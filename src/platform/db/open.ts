import pg from "pg";
import type { Db } from "./db.js";
import { lockDataDir } from "./data-dir-lock.js";
import { migrate } from "./migrate.js";
import { PgliteDb } from "./pglite.js";
import { PostgresDb } from "./postgres.js";
import { APP_ROLE, SESSION_SCOPE_STATEMENT } from "./roles.js";

export interface OpenedDb {
  db: Db;
  release(): Promise<void>;
}

/**
 * Migrates as the connecting (owner) user, then hands back a database whose sessions run as the
 * non-superuser application role (invariant 8). `dataDir: null` keeps PGlite in memory.
 */
export async function openDatabase(options: { databaseUrl?: string; dataDir: string | null; poolSize: number }): Promise<OpenedDb> {
  if (options.databaseUrl) {
    const admin = new pg.Client({ connectionString: options.databaseUrl });
    // A session lost mid-migration fails the awaited statement (and start-up); unheard, it would end the process.
    admin.on("error", () => undefined);
    await admin.connect();
    try {
      await migrate({
        exec: async (sql) => void (await admin.query(sql)),
        query: async (sql, params) => admin.query(sql, params as unknown[]) as never,
      });
    } finally {
      await admin.end();
    }
    const db = PostgresDb.open(options.databaseUrl, options.poolSize);
    return { db, release: () => db.close() };
  }
  const unlock = options.dataDir ? lockDataDir(options.dataDir) : () => undefined;
  try {
    const db = await PgliteDb.open(options.dataDir ? `${options.dataDir}/pg` : undefined);
    await migrate({ exec: (sql) => db.exec(sql), query: (sql, params) => db.query(sql, params) });
    // PGlite has no autovacuum: the server vacuums and analyses its tables itself
    // (`embeddedAutovacuum`), which takes the owner or pg_maintain (PostgreSQL 17+; PGlite is 18).
    await db.exec(`GRANT pg_maintain TO ${APP_ROLE}`);
    await db.exec(`SET ROLE ${APP_ROLE}; ${SESSION_SCOPE_STATEMENT}`);
    return {
      db,
      release: async () => {
        await db.close();
        unlock();
      },
    };
  } catch (error) {
    unlock();
    throw error;
  }
}
