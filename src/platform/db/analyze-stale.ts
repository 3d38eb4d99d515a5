import type { Db } from "./db.js";

/**
 * PGlite runs no autovacuum daemon, so its statistics never change unless someone runs ANALYZE.
 * Transactions keep one generic plan per statement (see `planSettings`), made from the statistics
 * of the moment: one made while a table was nearly empty walks the whole table once it has grown
 * (the license-expiry sweep did: 20 ms a pass at 5,000 licenses, growing with every sale). ANALYZE
 * refreshes the statistics and invalidates the plans that depend on them, so they are made again.
 *
 * The threshold is autovacuum's own default: 50 rows plus 10% of the table changed since its last
 * analysis, so the statistics stay within about a tenth of the truth whatever the table's size.
 */
const STALE = `
  SELECT format('%I.%I', schemaname, relname) AS name
    FROM pg_stat_user_tables
   WHERE n_mod_since_analyze > 50 + 0.1 * n_live_tup
   ORDER BY n_mod_since_analyze DESC`;

/**
 * Analyses the tables whose statistics are stale; returns their names (none most of the time). The
 * application role owns no table: on PGlite it is granted pg_maintain (see `openDatabase`).
 */
export async function analyzeStale(db: Db): Promise<string[]> {
  const stale = (await db.query<{ name: string }>(STALE)).rows.map((row) => row.name);
  // One transaction per table: PGlite is one session, and requests wait while a table is analysed.
  for (const table of stale) {
    await db.tx(async (tx) => {
      // A sample of 3,000 rows instead of 30,000: enough to tell an index probe from a scan, at a
      // tenth of the pause (the outbox took about 115 ms with the default).
      await tx.query(`SET LOCAL default_statistics_target = 10`);
      await tx.query(`ANALYZE ${table}`);
    }, { tenantId: "*" });
  }
  return stale;
}
