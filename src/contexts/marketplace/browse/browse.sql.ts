import type { Sql } from "../../../platform/db/db.js";
import type { BillingInterval, PlanKind } from "../plans/plan.domain.js";
import type { BrowseCursor } from "./browse-cursor.domain.js";

/** The browse query over live listings: full-text match and rank, plan filters, keyset paging. */
export interface BrowseFilter {
  q?: string;
  kind?: string;
  currency?: string;
  providerId?: string;
  minPrice?: number;
  maxPrice?: number;
  after?: BrowseCursor;
  limit: number;
}

export interface BrowsePlan {
  planId: string;
  kind: PlanKind;
  version: number;
  amount: number;
  currency: string;
  seats: number | null;
  interval: BillingInterval | null;
  validityDays: number | null;
  perpetualOffline: boolean;
}

export interface BrowseRow {
  listingId: string;
  providerId: string;
  courseId: string;
  courseVersionId: string;
  title: string;
  description: string;
  refundPolicyId: string | null;
  rank: number;
  /** The current version of each plan, oldest plan first. */
  plans: BrowsePlan[];
}

/**
 * Only the clauses a request needs are emitted, so each shape gets its own plan: `search @@ query`
 * uses the partial GIN index on live listings; the plan filters are one EXISTS on the current
 * version of any plan (all filters on the same plan: "a seat pack under 100 EUR").
 */
export async function browseLiveListings(sql: Sql, filter: BrowseFilter): Promise<BrowseRow[]> {
  const params: unknown[] = [];
  const param = (value: unknown) => {
    params.push(value);
    return `$${params.length}`;
  };
  const where = ["l.status = 'live'"];
  let rank = "0::real";
  if (filter.q !== undefined) {
    const query = `websearch_to_tsquery('english', ${param(filter.q)})`;
    where.push(`l.search @@ ${query}`);
    rank = `ts_rank(l.search, ${query})`;
  }
  if (filter.providerId !== undefined) where.push(`l.provider_id = ${param(filter.providerId)}`);
  const planClauses: string[] = [];
  if (filter.kind !== undefined) planClauses.push(`p.kind = ${param(filter.kind)}`);
  if (filter.currency !== undefined) planClauses.push(`v.currency = ${param(filter.currency)}`);
  if (filter.minPrice !== undefined) planClauses.push(`v.amount >= ${param(filter.minPrice)}`);
  if (filter.maxPrice !== undefined) planClauses.push(`v.amount <= ${param(filter.maxPrice)}`);
  if (planClauses.length > 0) {
    where.push(`EXISTS (SELECT 1 FROM marketplace.plans p JOIN marketplace.plan_versions v ON v.plan_id = p.plan_id AND v.version = p.current_version
                        WHERE p.listing_id = l.listing_id AND ${planClauses.join(" AND ")})`);
  }
  if (filter.after) {
    const r = param(filter.after.rank);
    const id = param(filter.after.listingId);
    where.push(`(${rank} < ${r}::real OR (${rank} = ${r}::real AND l.listing_id > ${id}))`);
  }
  // One index scan, no joins: current plan terms ride on the listing row (current_plans).
  const result = await sql.query<BrowseRow>(
    `SELECT l.listing_id AS "listingId", l.provider_id AS "providerId", l.course_id AS "courseId", l.course_version_id AS "courseVersionId",
            l.title, l.description, l.refund_policy_id AS "refundPolicyId", ${rank} AS rank, l.current_plans AS plans
       FROM marketplace.listings l
      WHERE ${where.join(" AND ")}
      ORDER BY rank DESC, l.listing_id ASC
      LIMIT ${param(filter.limit)}`,
    params,
  );
  return result.rows.map((row) => ({ ...row, rank: Number(row.rank) }));
}
