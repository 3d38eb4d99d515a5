import type { PgliteDb } from "./pglite.js";
import { SYSTEM_SCOPE } from "./db.js";

/**
 * PGlite runs no autovacuum daemon, so nothing analyses or vacuums its tables unless the server
 * does. This pass applies autovacuum's default thresholds itself:
 *
 * - ANALYZE a table once 50 rows plus 10% of it have changed. Transactions keep one generic plan
 *   per statement (see `planSettings`), made from the statistics of the moment, and one made while
 *   a table was nearly empty walks the whole table once it has grown (the licence-expiry sweep
 *   did: 20 ms a pass at 5,000 licences, growing with every sale). ANALYZE refreshes the statistics
 *   and invalidates the plans that depend on them, so they are made again.
 * - VACUUM a table once 50 rows plus 20% of it are dead, 1,000 rows plus 20% have been inserted
 *   since its last vacuum, or its oldest unfrozen transaction id is 200 million old (multixact:
 *   400 million): dead rows and their index entries are reclaimed, and old rows are frozen. System
 *   catalogs count (ANALYZE leaves dead rows in pg_statistic); TOAST tables go with their tables.
 *   PGlite's template databases cannot be reached from this session, so they still age: see the
 *   README on transaction-id wraparound.
 */
const DUE = `
  SELECT name, needs_vacuum, needs_analyze FROM (
    SELECT format('%I.%I', s.schemaname, s.relname) AS name,
           (s.n_dead_tup > 50 + 0.2 * s.n_live_tup
             OR s.n_ins_since_vacuum > 1000 + 0.2 * s.n_live_tup
             OR age(c.relfrozenxid) > 200000000
             OR mxid_age(c.relminmxid) > 400000000) AS needs_vacuum,
           s.schemaname NOT IN ('pg_catalog') AND s.n_mod_since_analyze > 50 + 0.1 * s.n_live_tup AS needs_analyze
      FROM pg_stat_all_tables s JOIN pg_class c ON c.oid = s.relid
     WHERE s.schemaname NOT IN ('pg_toast', 'information_schema')) t
   WHERE needs_vacuum OR needs_analyze`;

export interface MaintenancePass {
  vacuumed: string[];
  analysed: string[];
}

/**
 * One pass over the tables that are due. Each table is handled on its own, so requests run between
 * them (PGlite is one session: they wait while a table is vacuumed or analysed). The application
 * role owns no table: it is granted pg_maintain (see `openDatabase`).
 */
export async function embeddedAutovacuum(db: PgliteDb): Promise<MaintenancePass> {
  const due = (await db.query<{ name: string; needs_vacuum: boolean; needs_analyze: boolean }>(DUE)).rows;
  const pass: MaintenancePass = { vacuumed: [], analysed: [] };
  for (const table of due) {
    if (table.needs_vacuum) {
      // VACUUM cannot run inside a transaction; PGlite's exec waits until none is open.
      await db.exec(`VACUUM ${table.name}`);
      pass.vacuumed.push(table.name);
    }
    if (table.needs_analyze) {
      await db.tx(
        async (tx) => {
          // A sample of 3,000 rows instead of 30,000: enough to tell an index probe from a scan, at a
          // tenth of the pause (the outbox took about 115 ms with the default).
          await tx.query(`SET LOCAL default_statistics_target = 10`);
          await tx.query(`ANALYZE ${table.name}`);
        },
        { tenantId: SYSTEM_SCOPE },
      );
      pass.analysed.push(table.name);
    }
  }
  return pass;
}
