import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MIGRATIONS_DIR } from "../../src/platform/db/migrate.js";
import { SYSTEM_SCOPE } from "../../src/platform/db/db.js";
import { startTestApp, type TestApp } from "../support/test-app.js";

/**
 * A transaction's row-level security scope is set with bound parameters, and the system scope is
 * a setting of its own that no tenant id can reach (issue 18). Both engines.
 */
let t: TestApp;
let admin: string;
beforeAll(async () => {
  t = await startTestApp({ workers: false });
  admin = await t.token({ sub: "usr_admin", tid: "ten_platform", roles: ["platform_admin"] });
  await t.app.kernel.db.tx(
    async (tx) => {
      for (const tenant of ["ten_a", "ten_b"]) {
        await tx.query(`INSERT INTO tenancy.tenants (tenant_id, name, kind, created_at) VALUES ($1, $1, 'organization', now())`, [tenant]);
        await tx.query(`INSERT INTO tenancy.members (tenant_id, user_id, joined_at) VALUES ($1, 'usr_' || $1, now())`, [tenant]);
      }
    },
    { tenantId: SYSTEM_SCOPE },
  );
});
afterAll(() => t?.stop());

const members = (tenantId?: string | typeof SYSTEM_SCOPE) =>
  t.app.kernel.db.tx(
    async (tx) =>
      (await tx.query<{ tenant_id: string }>(`SELECT tenant_id FROM tenancy.members ORDER BY tenant_id`)).rows.map((row) => row.tenant_id),
    { tenantId },
  );

describe("a transaction's tenant scope", () => {
  it("with a NUL in the tenant id fails as a whole and commits nothing", async () => {
    const attempt = t.app.kernel.db.tx(
      async (tx) => {
        await tx.query(`INSERT INTO platform.inbox (consumer, event_id) VALUES ($1, $2)`, ["test.scope.nul", "evt_nul"]);
      },
      { tenantId: "ten_a\u0000' OR true --" },
    );
    await expect(attempt).rejects.toThrow();
    const kept = await t.app.kernel.db.query(`SELECT 1 FROM platform.inbox WHERE consumer = $1`, ["test.scope.nul"]);
    expect(kept.rows).toEqual([]);
    // The session that refused it serves the next transaction normally.
    expect(await members("ten_a")).toEqual(["ten_a"]);
  });

  it("\"*\" is a tenant id like any other: it sees that tenant's rows (none), not every tenant's", async () => {
    expect(await members("*")).toEqual([]);
    expect(await members("ten_a")).toEqual(["ten_a"]);
    expect(await members("")).toEqual([]);
  });

  it("the system scope (workers, platform admins) still sees every tenant's rows", async () => {
    expect(await members(SYSTEM_SCOPE)).toEqual(["ten_a", "ten_b"]);
    expect(await members()).toEqual(["ten_a", "ten_b"]);
  });

  it("no row-level security policy reads '*' as the system scope", async () => {
    const { rows } = await t.app.kernel.db.query<{ policy: string }>(
      `SELECT schemaname || '.' || tablename || ' ' || policyname AS policy FROM pg_policies
        WHERE qual LIKE '%''*''%' OR with_check LIKE '%''*''%' OR qual NOT LIKE '%app.system_scope%'`,
    );
    expect(rows.map((row) => row.policy)).toEqual([]);
  });

  it("no migration after 0900 writes a policy that reads '*' (a database migrated earlier would not rewrite it)", () => {
    // These were written before the system scope had its own setting; 0900 rewrites their policies.
    const before = new Set([
      "0100_tenancy.sql",
      "0200_billing_payments.sql",
      "0201_billing_wallet.sql",
      "0300_enrollment.sql",
      "0340_enrollment_default_enrollments.sql",
      "0400_marketplace_orders.sql",
      "0410_marketplace_seats.sql",
      "0420_marketplace_refunds.sql",
    ]);
    const offending = readdirSync(MIGRATIONS_DIR)
      .filter((file) => file.endsWith(".sql") && !before.has(file))
      .filter((file) => /current_setting\('app\.tenant_id', true\) = '\*'/.test(readFileSync(path.join(MIGRATIONS_DIR, file), "utf8")));
    expect(offending).toEqual([]);
  });
});

describe("tenant creation", () => {
  it.each(["*", "%", " ten", "ten\u0000x", ""])("refuses the id %j with a 400 and writes nothing", async (tenantId) => {
    const response = await t.app.server.inject({
      method: "POST",
      url: "/api/v1/tenants",
      headers: { authorization: `Bearer ${admin}`, "content-type": "application/json" },
      payload: JSON.stringify({ tenantId, name: "Wildcard", kind: "organization" }),
    });
    expect(response.statusCode, response.body).toBe(400);
    // A control character may be refused earlier, by the rule for all text from outside.
    expect(["REQUEST.VALIDATION_FAILED", "REQUEST.INVALID_TEXT"]).toContain(response.json().code);
    const { rows } = await t.app.kernel.db.query(`SELECT tenant_id FROM tenancy.tenants WHERE name = 'Wildcard'`);
    expect(rows).toEqual([]);
  });

  it("still creates a tenant with an ordinary id", async () => {
    const response = await t.app.server.inject({
      method: "POST",
      url: "/api/v1/tenants",
      headers: { authorization: `Bearer ${admin}`, "content-type": "application/json" },
      payload: JSON.stringify({ tenantId: "acme-co.eu", name: "Acme", kind: "organization" }),
    });
    expect(response.statusCode, response.body).toBe(201);
  });
});
