import { afterEach, describe, expect, it } from "vitest";
import { EXPIRE_DUE } from "../../src/contexts/marketplace/licenses/licenses.sql.js";
import { embeddedAutovacuum } from "../../src/platform/db/embedded-autovacuum.js";
import { PgliteDb } from "../../src/platform/db/pglite.js";
import { startTestApp, type TestApp } from "../support/test-app.js";
import { SYSTEM_SCOPE } from "../../src/platform/db/db.js";

let t: TestApp | undefined;
afterEach(async () => {
  await t?.stop();
  t = undefined;
});

/** Pages the license-expiry sweep reads with the generic plan its session holds. */
async function sweepPages(app: TestApp): Promise<number> {
  const explained = await app.app.kernel.db.tx(
    (tx) =>
      tx.query<{ "QUERY PLAN": Array<{ Plan: { "Shared Hit Blocks": number; "Shared Read Blocks": number } }> }>(
        `EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) EXECUTE expiry_sweep('2026-03-01T09:00:00Z', 100)`,
      ),
    { tenantId: SYSTEM_SCOPE },
  );
  const plan = explained.rows[0]!["QUERY PLAN"][0]!.Plan;
  return plan["Shared Hit Blocks"] + plan["Shared Read Blocks"];
}

// PostgreSQL's autovacuum analyses on its own schedule; this is about PGlite, which has none.
/** Counters reach the statistics views at most once a second; a running server's next pass sees them. */
async function passNow(app: TestApp) {
  const { db } = app.app.kernel;
  if (!(db instanceof PgliteDb)) throw new Error("embedded only");
  await db.query(`SELECT pg_stat_force_next_flush()`);
  return embeddedAutovacuum(db);
}

describe.skipIf(Boolean(process.env.DATABASE_URL))("embedded autovacuum", () => {
  it("re-plans the license-expiry sweep once the licenses table has grown, so it reads a few pages instead of every license", async () => {
    t = await startTestApp({ workers: false });
    const { db } = t.app.kernel;
    // The plan is made while the table is empty, as in a fresh embedded install.
    await db.tx(
      async (tx) => {
        await tx.query(`PREPARE expiry_sweep(timestamptz, int) AS ${EXPIRE_DUE}`);
        await tx.query(`EXECUTE expiry_sweep('2026-03-01T09:00:00Z', 100)`);
      },
      { tenantId: SYSTEM_SCOPE },
    );
    // One order's 3,000 lines (a role, trigger or replication-role change would reset the plan cache).
    await db.tx(
      async (tx) => {
        await tx.query(`INSERT INTO marketplace.orders (order_id, tenant_id, buyer_user_id, status, currency, subtotal, discount, tax, tax_inclusive, total, payment_method, placed_at, updated_at)
        VALUES ('ord_1', 'ten_1', 'usr_1', 'fulfilled', 'USD', 0, 0, 0, false, 0, 'card', now(), now())`);
        await tx.query(`INSERT INTO marketplace.licenses (license_id, order_id, line, tenant_id, buyer_user_id, listing_id, course_id, course_version_id, kind, state, valid_from, perpetual_offline, created_at, updated_at)
        SELECT 'lcn_' || g, 'ord_1', g, 'ten_1', 'usr_' || g, 'lst_1', 'crs_1', 'cv_1', 'one_time', 'active', now(), false, now(), now() FROM generate_series(1, 3000) g`);
      },
      { tenantId: SYSTEM_SCOPE },
    );
    const stalePages = await sweepPages(t);
    expect(stalePages).toBeGreaterThan(1_000); // the empty-table plan walks all 3,000 licenses

    expect((await passNow(t)).analysed).toContain("marketplace.licenses");
    expect(await sweepPages(t)).toBeLessThan(20);
    expect((await passNow(t)).analysed).not.toContain("marketplace.licenses"); // nothing changed since
  });

  it("vacuums a table whose rows were deleted, as the application role, and leaves it alone once clean", async () => {
    t = await startTestApp({ workers: false });
    const { db } = t.app.kernel;
    await db.tx(
      async (tx) => {
        await tx.query(`INSERT INTO platform.inbox (consumer, event_id) SELECT 'test.vacuum', 'evt_' || g FROM generate_series(1, 2000) g`);
      },
      { tenantId: SYSTEM_SCOPE },
    );
    await db.tx((tx) => tx.query(`DELETE FROM platform.inbox WHERE consumer = 'test.vacuum'`), { tenantId: SYSTEM_SCOPE });
    const deadRows = async () => {
      await db.query(`SELECT pg_stat_force_next_flush()`);
      return Number(
        (
          await db.query<{ n: string }>(
            `SELECT n_dead_tup AS n FROM pg_stat_user_tables WHERE schemaname = 'platform' AND relname = 'inbox'`,
          )
        ).rows[0]!.n,
      );
    };
    expect(await deadRows()).toBeGreaterThanOrEqual(2000);
    expect((await passNow(t)).vacuumed).toContain("platform.inbox");
    expect(await deadRows()).toBe(0);
    expect((await db.query<{ current_user: string }>(`SELECT current_user`)).rows[0]!.current_user).toBe("ghasi_app");
    expect((await passNow(t)).vacuumed).not.toContain("platform.inbox");
  });
});
