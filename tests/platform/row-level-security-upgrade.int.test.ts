import { PGlite } from "@electric-sql/pglite";
import { mkdtempSync, readdirSync, rmSync, symlinkSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { migrate, MIGRATIONS_DIR } from "../../src/platform/db/migrate.js";

/**
 * Migration 0910 gives tenant rows written before it their tenant: an order's lines and coupon
 * redemption, a refund's lines, the order's and the refund's saga, a caller's idempotency keys.
 * Without it a tenant would lose sight of its own in-flight sagas and could not replay its keys.
 */
const RLS_MIGRATION = "0910_platform_rls_everywhere.sql";
let db: PGlite;
let before: string;

beforeAll(async () => {
  db = new PGlite();
  const target = {
    exec: async (sql: string) => void (await db.exec(sql)),
    query: (sql: string, params?: readonly unknown[]) => db.query(sql, params as unknown[]) as never,
  };
  before = mkdtempSync(path.join(os.tmpdir(), "ghasi-migrations-"));
  for (const file of readdirSync(MIGRATIONS_DIR).filter((name) => name < RLS_MIGRATION))
    symlinkSync(path.join(MIGRATIONS_DIR, file), path.join(before, file));
  await migrate(target, before);
  // Only the rows 0910 reads are written: foreign keys to listings and plans are not checked here.
  await db.exec(`
    SET session_replication_role = replica;
    INSERT INTO marketplace.orders (order_id, tenant_id, buyer_user_id, status, currency, subtotal, discount, tax, tax_inclusive, total, payment_method, placed_at, updated_at)
    VALUES ('ord_old', 'ten_old', 'usr_old', 'fulfilled', 'USD', 4900, 490, 0, false, 4410, 'card', now(), now());
    INSERT INTO marketplace.order_items (order_id, line, listing_id, plan_id, plan_version, kind, course_id, course_version_id, provider_id, quantity, unit_amount, amount, perpetual_offline)
    VALUES ('ord_old', 0, 'lst_old', 'pln_old', 1, 'one_time', 'crs_old', 'cv_old', 'prv_old', 1, 4900, 4900, false);
    INSERT INTO marketplace.coupons (coupon_id, code, percent_off, created_at) VALUES ('cpn_old', 'OLD', 10, now());
    INSERT INTO marketplace.coupon_redemptions (order_id, coupon_id, user_id, status, updated_at) VALUES ('ord_old', 'cpn_old', 'usr_old', 'reserved', now());
    INSERT INTO marketplace.refunds (refund_id, order_id, tenant_id, requested_by, reason, status, partial, amount, currency, requested_at, updated_at)
    VALUES ('rfn_old', 'ord_old', 'ten_old', 'usr_old', 'old', 'refund_pending', false, 4410, 'USD', now(), now());
    INSERT INTO marketplace.refund_lines (refund_id, line, license_id, kind, seats_refunded, amount, revokes_license, reversal_gross, reversal_fee, reversal_provider)
    VALUES ('rfn_old', 0, 'lic_old', 'one_time', NULL, 4410, true, -4410, -662, -3748);
    INSERT INTO platform.saga_instances (id, saga_type, status, state, correlation_id, created_at, updated_at, steps)
    VALUES ('ord_old', 'purchase', 'fulfilled', '{}', 'ord_old', now(), now(), 1), ('rfn_old', 'refund', 'refund_pending', '{}', 'ord_old', now(), now(), 1);
    INSERT INTO platform.idempotency_keys (scope, key, request_hash) VALUES ('ten_old/usr_old:POST /api/v1/orders', 'k1', 'h');
    SET session_replication_role = DEFAULT;
  `);
  await migrate(target);
});
afterAll(async () => {
  await db?.close();
  rmSync(before, { recursive: true, force: true });
});

it("gives the rows written before it their tenant", async () => {
  const tenants = await db.query<{ name: string; tenant_id: string | null }>(`
    SELECT 'order line' AS name, tenant_id FROM marketplace.order_items
    UNION ALL SELECT 'redemption', tenant_id FROM marketplace.coupon_redemptions
    UNION ALL SELECT 'refund line', tenant_id FROM marketplace.refund_lines
    UNION ALL SELECT 'saga ' || id, tenant_id FROM platform.saga_instances
    UNION ALL SELECT 'idempotency key', tenant_id FROM platform.idempotency_keys
    ORDER BY 1`);
  expect(tenants.rows).toEqual(
    ["idempotency key", "order line", "redemption", "refund line", "saga ord_old", "saga rfn_old"].map((name) => ({
      name,
      tenant_id: "ten_old",
    })),
  );
});
