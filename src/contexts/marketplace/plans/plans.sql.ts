import type { Sql } from "../../../platform/db/db.js";
import type { BillingInterval, PlanKind, PlanTerms } from "./plan.domain.js";

/** The queries for marketplace.plans and marketplace.plan_versions. */
export interface PlanVersionRow extends PlanTerms {
  planId: string;
  listingId: string;
  kind: PlanKind;
  version: number;
  createdAt: Date;
}

export interface PlanView {
  planId: string;
  kind: PlanKind;
  currentVersion: number;
  versions: PlanVersionRow[];
}

export async function insertPlan(sql: Sql, plan: { planId: string; listingId: string; kind: PlanKind; at: Date }): Promise<void> {
  await sql.query(`INSERT INTO marketplace.plans (plan_id, listing_id, kind, current_version, created_at) VALUES ($1, $2, $3, 1, $4)`, [
    plan.planId,
    plan.listingId,
    plan.kind,
    plan.at,
  ]);
}

export async function insertPlanVersion(sql: Sql, planId: string, version: number, terms: PlanTerms, at: Date): Promise<void> {
  await sql.query(
    `INSERT INTO marketplace.plan_versions (plan_id, version, amount, currency, seats, billing_interval, validity_days, perpetual_offline, revocation_cap_percent,
       created_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
    [
      planId,
      version,
      terms.amount,
      terms.currency,
      terms.seats,
      terms.interval,
      terms.validityDays,
      terms.perpetualOffline,
      terms.revocationCapPercent,
      at,
    ],
  );
}

/** One statement takes the next version number, so two concurrent re-pricings never collide. */
export async function bumpPlanVersion(sql: Sql, listingId: string, planId: string): Promise<{ kind: PlanKind; version: number } | null> {
  const result = await sql.query<{ kind: PlanKind; version: number }>(
    `UPDATE marketplace.plans SET current_version = current_version + 1 WHERE plan_id = $1 AND listing_id = $2 RETURNING kind, current_version AS version`,
    [planId, listingId],
  );
  return result.rows[0] ?? null;
}

/**
 * Rewrites the listing's browse copy of its current plan terms (marketplace.listings.current_plans).
 * Called in every transaction that adds or re-prices a plan, after the listing row was locked.
 */
export async function refreshCurrentPlans(sql: Sql, listingId: string): Promise<void> {
  await sql.query(
    `UPDATE marketplace.listings l SET current_plans = COALESCE((
       SELECT jsonb_agg(jsonb_build_object('planId', p.plan_id, 'kind', p.kind, 'version', v.version, 'amount', v.amount, 'currency', v.currency,
                'seats', v.seats, 'interval', v.billing_interval, 'validityDays', v.validity_days, 'perpetualOffline', v.perpetual_offline)
              ORDER BY p.created_at, p.plan_id)
         FROM marketplace.plans p JOIN marketplace.plan_versions v ON v.plan_id = p.plan_id AND v.version = p.current_version
        WHERE p.listing_id = l.listing_id), '[]')
     WHERE l.listing_id = $1`,
    [listingId],
  );
}

export async function planKindOf(sql: Sql, listingId: string, planId: string): Promise<PlanKind | null> {
  const result = await sql.query<{ kind: PlanKind }>(`SELECT kind FROM marketplace.plans WHERE plan_id = $1 AND listing_id = $2`, [
    planId,
    listingId,
  ]);
  return result.rows[0]?.kind ?? null;
}

export async function planCountOf(sql: Sql, listingId: string): Promise<number> {
  const result = await sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM marketplace.plans WHERE listing_id = $1`, [listingId]);
  return Number(result.rows[0]!.n);
}

interface VersionDbRow {
  planId: string;
  listingId: string;
  kind: PlanKind;
  version: number;
  amount: string | number;
  currency: string;
  seats: number | null;
  interval: BillingInterval | null;
  validityDays: number | null;
  perpetualOffline: boolean;
  revocationCapPercent: number | null;
  createdAt: Date;
}

const VERSION_COLUMNS = `v.plan_id AS "planId", p.listing_id AS "listingId", p.kind, v.version, v.amount, v.currency, v.seats,
  v.billing_interval AS interval, v.validity_days AS "validityDays", v.perpetual_offline AS "perpetualOffline",
  v.revocation_cap_percent AS "revocationCapPercent", v.created_at AS "createdAt"`;

// bigint arrives as a string from `pg`; amounts are capped at 2^53 by the schemas, so Number is exact.
const toVersion = (row: VersionDbRow): PlanVersionRow => ({ ...row, amount: Number(row.amount) });

/** The version a plan sells now (null: no such plan). */
export async function currentPlanVersion(sql: Sql, planId: string): Promise<number | null> {
  const result = await sql.query<{ version: number }>(`SELECT current_version AS version FROM marketplace.plans WHERE plan_id = $1`, [
    planId,
  ]);
  return result.rows[0]?.version ?? null;
}

/** The exact terms an order line pins: (planId, version). Null when no such version exists. */
export async function planVersionOf(sql: Sql, planId: string, version: number): Promise<PlanVersionRow | null> {
  const result = await sql.query<VersionDbRow>(
    `SELECT ${VERSION_COLUMNS} FROM marketplace.plan_versions v JOIN marketplace.plans p USING (plan_id) WHERE v.plan_id = $1 AND v.version = $2`,
    [planId, version],
  );
  return result.rows[0] ? toVersion(result.rows[0]) : null;
}

/** Plans of some listings with every version (oldest first); `currentOnly` keeps the live terms only. */
export async function plansOf(sql: Sql, listingIds: readonly string[], currentOnly = false): Promise<Map<string, PlanView[]>> {
  const result = await sql.query<VersionDbRow & { currentVersion: number }>(
    `SELECT ${VERSION_COLUMNS}, p.current_version AS "currentVersion"
       FROM marketplace.plans p JOIN marketplace.plan_versions v USING (plan_id)
      WHERE p.listing_id = ANY($1::text[]) ${currentOnly ? "AND v.version = p.current_version" : ""}
      ORDER BY p.listing_id, p.created_at, p.plan_id, v.version`,
    [listingIds],
  );
  const byListing = new Map<string, PlanView[]>();
  for (const row of result.rows) {
    const plans = byListing.get(row.listingId) ?? [];
    let plan = plans.find((p) => p.planId === row.planId);
    if (!plan) {
      plan = { planId: row.planId, kind: row.kind, currentVersion: row.currentVersion, versions: [] };
      plans.push(plan);
    }
    const { currentVersion: _current, ...version } = row;
    plan.versions.push(toVersion(version));
    byListing.set(row.listingId, plans);
  }
  return byListing;
}

/** The wire view of a plan: its current terms at the top, every version below. */
export function planJson(plan: PlanView) {
  const terms = (v: PlanVersionRow) => ({
    version: v.version,
    amount: v.amount,
    currency: v.currency,
    seats: v.seats,
    interval: v.interval,
    validityDays: v.validityDays,
    perpetualOffline: v.perpetualOffline,
    ...(v.revocationCapPercent !== null ? { revocationCapPercent: v.revocationCapPercent } : {}),
    createdAt: v.createdAt.toISOString(),
  });
  const current = plan.versions.find((v) => v.version === plan.currentVersion) ?? plan.versions[plan.versions.length - 1]!;
  return { planId: plan.planId, kind: plan.kind, ...terms(current), versions: plan.versions.map(terms) };
}
