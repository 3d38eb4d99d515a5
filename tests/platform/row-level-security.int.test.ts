import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SYSTEM_SCOPE, type TenantScope } from "../../src/platform/db/db.js";
import { buy, openShop, type Shop } from "../orders/purchase-support.js";
import { fulfilled, refund, refundableOffer } from "../refunds/refund-support.js";

/**
 * Row-level security on every table that holds tenant data (issue 18). The census reads the tables
 * from the catalog, so a new table is either protected or named below with the reason it needs no
 * policy. Then two tenants buy (with a coupon) and refund, and each tenant's scope is shown to see
 * and touch only its own rows. Both engines.
 */

/** Tables without row-level security, and why: nothing here belongs to one tenant. */
const NO_POLICY: Record<string, string> = {
  "platform.schema_migrations": "the migration ledger",
  "platform.inbox": "consumer and event ids only (dedup bookkeeping)",
  "platform.outbox_buckets": "relay bucket numbers only",
  "platform.outbox_pending": "outbox positions only",
  "billing.stripe_events": "Stripe event ids, types and outcomes only",
  "catalog.courses": "the marketplace's catalog, read by every tenant",
  "catalog.course_versions": "the marketplace's catalog, read by every tenant",
  "catalog.course_runs": "the marketplace's catalog, read by every tenant",
  "marketplace.version_readiness": "the catalog's publication facts, read by every tenant",
  "marketplace.listings": "published offers every tenant browses and buys (drafts are guarded by ownership checks)",
  "marketplace.plans": "prices of listings, read by every buyer",
  "marketplace.plan_versions": "prices of listings, read by every buyer",
  "marketplace.refund_policies": "platform-wide refund terms",
  "marketplace.coupons": "offers any buyer may redeem (restricted by tenant_ids in the rules); the buyer's order takes the redemption",
  "marketplace.provider_kyc": "whether a provider may sell, read at listing approval",
  "marketplace.payout_runs": "the platform's own payout schedule runs",
  "tenancy.providers": "the marketplace's directory of providers (name, KYC status), read at listing approval and sale",
};

/** Tables whose rows belong to one tenant through a tenant_id column. */
const TENANT_ROWS = [
  "billing.methods_on_file",
  "billing.payment_deadlines",
  "billing.payment_intents",
  "billing.payment_refunds",
  "billing.provider_customers",
  "billing.wallet_balances",
  "billing.wallet_operations",
  "billing.wallet_transactions",
  "enrollment.default_enrollment_intentions",
  "enrollment.default_enrollment_realizations",
  "enrollment.deferred_enrollments",
  "enrollment.enrollments",
  "enrollment.expiry_due",
  "marketplace.coupon_redemptions",
  "marketplace.licenses",
  "marketplace.order_items",
  "marketplace.orders",
  "marketplace.refund_lines",
  "marketplace.refunds",
  "marketplace.seat_assignments",
  "marketplace.seat_jobs",
  "marketplace.subscription_charges",
  "marketplace.subscriptions",
  "platform.idempotency_keys",
  "platform.outbox",
  "platform.saga_instances",
  "tenancy.members",
  "tenancy.purchase_policies",
  "tenancy.tenants",
  "webhooks.deliveries",
  "webhooks.endpoints",
];
/** Rows of many tenants that only operators (the system scope) read. */
const OPERATOR_ROWS = [
  "marketplace.earnings",
  "marketplace.payout_batches",
  "marketplace.payout_lines",
  "platform.consumer_retries",
  "platform.dead_letters",
];
/** A saga's steps and deadlines: seen through their saga. */
const THROUGH_SAGA = ["platform.saga_deadlines", "platform.saga_steps"];

const SYSTEM_OR = "current_setting('app.system_scope'::text, true) = 'on'::text";

let shop: Shop;
beforeAll(async () => {
  shop = await openShop();
});
afterAll(() => shop?.t.stop());

const inScope = <R>(tenantId: TenantScope, text: string, params: unknown[] = []) =>
  shop.t.app.kernel.db.tx(async (tx) => (await tx.query<R>(text, params)).rows, { tenantId });

describe("the census of tables", () => {
  it("every table is protected by its kind's policy, or named with the reason it needs none", async () => {
    const tables = await inScope<{ name: string; rls: boolean; tenant: boolean; policies: string[] | null }>(
      SYSTEM_SCOPE,
      `SELECT n.nspname || '.' || c.relname AS name, c.relrowsecurity AS rls,
              EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'tenant_id' AND NOT a.attisdropped) AS tenant,
              (SELECT array_agg(p.policyname || ': ' || coalesce(p.qual, '') ORDER BY p.policyname) FROM pg_policies p
                WHERE p.schemaname = n.nspname AND p.tablename = c.relname) AS policies
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE c.relkind IN ('r', 'p') AND n.nspname IN ('platform', 'tenancy', 'catalog', 'marketplace', 'billing', 'enrollment', 'webhooks')
        ORDER BY 1`,
    );
    const kind = (name: string) =>
      TENANT_ROWS.includes(name) ? "tenant" : OPERATOR_ROWS.includes(name) ? "operator" : THROUGH_SAGA.includes(name) ? "saga" : "none";
    for (const table of tables) {
      const policies = table.policies ?? [];
      switch (kind(table.name)) {
        case "tenant":
          expect(table.tenant, `${table.name} has a tenant_id`).toBe(true);
          expect(table.rls, `${table.name} has row-level security`).toBe(true);
          expect(policies, table.name).toEqual([
            table.name === "platform.outbox"
              ? // An event with no tenant is platform-wide: any scope writes and reads it back.
                `tenant_isolation: ((tenant_id = current_setting('app.tenant_id'::text, true)) OR (tenant_id IS NULL) OR (${SYSTEM_OR}))`
              : `tenant_isolation: ((tenant_id = current_setting('app.tenant_id'::text, true)) OR (${SYSTEM_OR}))`,
          ]);
          break;
        case "operator":
          expect(table.rls, `${table.name} has row-level security`).toBe(true);
          expect(policies, table.name).toEqual([`operator_only: (${SYSTEM_OR})`]);
          break;
        case "saga":
          expect(table.rls, `${table.name} has row-level security`).toBe(true);
          expect(policies.length, table.name).toBe(1);
          expect(policies[0], table.name).toMatch(/^through_saga: .*app\.system_scope.*saga_instances/s);
          break;
        default:
          // A new table lands here: give it a policy (and a place above) or a reason in NO_POLICY.
          expect(NO_POLICY[table.name], `${table.name} has no row-level security and no reason in NO_POLICY`).toBeDefined();
          expect(table.rls, `${table.name} is in NO_POLICY but has row-level security`).toBe(false);
          // A tenant_id here names an owner whose rows every tenant reads (a listing's, a provider's).
          if (table.tenant)
            expect(["marketplace.listings", "tenancy.providers"], `${table.name} has a tenant_id but no policy`).toContain(table.name);
      }
    }
    // Every name above is a real table (a renamed one would leave the lists stale).
    const names = new Set(tables.map((table) => table.name));
    for (const name of [...TENANT_ROWS, ...OPERATOR_ROWS, ...THROUGH_SAGA, ...Object.keys(NO_POLICY)])
      expect(names.has(name), name).toBe(true);
  });
});

describe("two tenants that buy with a coupon and refund", () => {
  const tenants = ["ten_rls_a", "ten_rls_b"] as const;
  beforeAll(async () => {
    const offer = await refundableOffer(shop);
    const coupon = await shop.http("POST", "/api/v1/coupons", { token: shop.admin, body: { code: "RLSTEN", percentOff: 10 } });
    expect(coupon.status, JSON.stringify(coupon.body)).toBe(201);
    for (const tenant of tenants) {
      const token = await shop.t.token({ sub: `usr_${tenant}`, tid: tenant, roles: ["learner"] });
      const bought = await fulfilled(shop, offer, { token, couponCode: "RLSTEN" });
      const refunded = await refund(shop, bought.orderId, { reason: "row-level security test" }, { token });
      expect(refunded.status, JSON.stringify(refunded.body)).toBe(202);
      expect((await buy(shop, offer, { token })).status).toBe(201);
    }
    await shop.t.settle();
  });

  it("each tenant's scope sees its own rows of every tenant table, and no other tenant's", async () => {
    for (const table of TENANT_ROWS) {
      const all = await inScope<{ tenant_id: string | null; n: number }>(
        SYSTEM_SCOPE,
        `SELECT tenant_id, count(*)::int AS n FROM ${table} WHERE tenant_id = ANY ($1) GROUP BY 1`,
        [tenants],
      );
      for (const tenant of tenants) {
        const seen = await inScope<{ tenant_id: string | null; n: number }>(
          tenant,
          // The outbox's platform-wide events (no tenant) are every scope's to read.
          `SELECT tenant_id, count(*)::int AS n FROM ${table} ${table === "platform.outbox" ? "WHERE tenant_id IS NOT NULL" : ""} GROUP BY 1`,
        );
        expect(seen, `${table} in ${tenant}'s scope`).toEqual(all.filter((row) => row.tenant_id === tenant));
      }
    }
    // The story wrote rows of both tenants where it matters most.
    for (const table of ["marketplace.order_items", "marketplace.refund_lines", "marketplace.coupon_redemptions", "platform.outbox"]) {
      const [row] = await inScope<{ n: number }>(
        SYSTEM_SCOPE,
        `SELECT count(DISTINCT tenant_id)::int AS n FROM ${table} WHERE tenant_id = ANY ($1)`,
        [tenants],
      );
      expect(row!.n, table).toBe(2);
    }
  });

  it("a tenant's scope sees no operator rows, and a saga's steps only through its own sagas", async () => {
    for (const table of OPERATOR_ROWS) {
      expect(await inScope(tenants[0], `SELECT 1 FROM ${table} LIMIT 1`), table).toEqual([]);
    }
    const [earned] = await inScope<{ n: number }>(SYSTEM_SCOPE, `SELECT count(*)::int AS n FROM marketplace.earnings`);
    expect(earned!.n).toBeGreaterThan(0);
    const steps = await inScope<{ tenant_id: string; n: number }>(
      tenants[0],
      `SELECT i.tenant_id, count(*)::int AS n FROM platform.saga_steps s LEFT JOIN platform.saga_instances i ON i.id = s.saga_id GROUP BY 1`,
    );
    expect(steps.map((row) => row.tenant_id)).toEqual([tenants[0]]);
    const deadlines = await inScope<{ tenant_id: string | null }>(
      tenants[0],
      `SELECT i.tenant_id FROM platform.saga_deadlines d LEFT JOIN platform.saga_instances i ON i.id = d.saga_id`,
    );
    expect(deadlines.filter((row) => row.tenant_id !== tenants[0])).toEqual([]);
  });

  it("a tenant's scope cannot change or add another tenant's rows", async () => {
    const updated = await inScope(tenants[0], `UPDATE marketplace.order_items SET quantity = quantity WHERE tenant_id = $1 RETURNING 1`, [
      tenants[1],
    ]);
    expect(updated).toEqual([]);
    const [line] = await inScope<Record<string, unknown>>(
      SYSTEM_SCOPE,
      `SELECT * FROM marketplace.order_items WHERE tenant_id = $1 LIMIT 1`,
      [tenants[1]],
    );
    const forged = inScope(
      tenants[0],
      `INSERT INTO marketplace.order_items SELECT (jsonb_populate_record(NULL::marketplace.order_items, $1::jsonb || '{"line": 99}')).*`,
      [JSON.stringify(line)],
    );
    await expect(forged).rejects.toMatchObject({ code: "42501" });
  });

  it("an Idempotency-Key claimed in another scope is refused as reused (422), not a 500", async () => {
    // A key stored before migration 0910 took its caller's tenant, which need not be the scope a
    // later replay runs in: the replay must not find a row it cannot see and fail.
    const offer = await refundableOffer(shop);
    const user = "usr_rls_key";
    await inScope(
      SYSTEM_SCOPE,
      `INSERT INTO platform.idempotency_keys (scope, key, request_hash, status, response, tenant_id) VALUES ($1, 'k-elsewhere', 'h', 201, '{}', 'ten_rls_other')`,
      [`${tenants[0]}/${user}:POST /api/v1/orders`],
    );
    const token = await shop.t.token({ sub: user, tid: tenants[0], roles: ["learner"] });
    const answer = await buy(shop, offer, { token, key: "k-elsewhere" });
    expect(answer.status, JSON.stringify(answer.body)).toBe(422);
    expect(answer.body.code).toBe("IDEMPOTENCY.KEY_REUSED");
  });
});
