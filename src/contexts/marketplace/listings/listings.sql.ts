import type { Sql } from "../../../platform/db/db.js";
import type { Listing, ListingStatus, VersionReadiness } from "./listing.domain.js";

/** The queries for marketplace.listings and the two projections its guards read. */
export interface ListingRow extends Listing {
  tenantId: string;
  title: string;
  description: string;
  marketingCopy: string | null;
  screenshots: string[];
  featuredAssets: string[];
  refundPolicyId: string | null;
  lastReason: string | null;
  createdAt: Date;
  updatedAt: Date;
}

const COLUMNS = `listing_id AS id, provider_id AS "providerId", tenant_id AS "tenantId", course_id AS "courseId",
  course_version_id AS "courseVersionId", status, title, description, marketing_copy AS "marketingCopy",
  screenshots, featured_assets AS "featuredAssets", refund_policy_id AS "refundPolicyId", last_reason AS "lastReason",
  created_at AS "createdAt", updated_at AS "updatedAt"`;

export interface NewListing {
  id: string;
  providerId: string;
  tenantId: string;
  courseId: string;
  courseVersionId: string;
  title: string;
  description: string;
  marketingCopy: string | null;
  screenshots: string[];
  featuredAssets: string[];
  refundPolicyId: string | null;
  at: Date;
}

export async function insertListing(sql: Sql, l: NewListing): Promise<void> {
  await sql.query(
    `INSERT INTO marketplace.listings (listing_id, provider_id, tenant_id, course_id, course_version_id, status, title, description,
       marketing_copy, screenshots, featured_assets, refund_policy_id, created_at, updated_at)
     VALUES ($1, $2, $3, $4, $5, 'draft', $6, $7, $8, $9::jsonb, $10::jsonb, $11, $12, $12)`,
    [
      l.id,
      l.providerId,
      l.tenantId,
      l.courseId,
      l.courseVersionId,
      l.title,
      l.description,
      l.marketingCopy,
      JSON.stringify(l.screenshots),
      JSON.stringify(l.featuredAssets),
      l.refundPolicyId,
      l.at,
    ],
  );
}

/** Locks the row: lifecycle commands on one listing are serialized, so a decision is never stale. */
export async function lockListing(sql: Sql, id: string): Promise<ListingRow | null> {
  const result = await sql.query<ListingRow>(`SELECT ${COLUMNS} FROM marketplace.listings WHERE listing_id = $1 FOR UPDATE`, [id]);
  return result.rows[0] ?? null;
}

export async function findListing(sql: Sql, id: string): Promise<ListingRow | null> {
  const result = await sql.query<ListingRow>(`SELECT ${COLUMNS} FROM marketplace.listings WHERE listing_id = $1`, [id]);
  return result.rows[0] ?? null;
}

export async function saveTransition(
  sql: Sql,
  id: string,
  to: { status: ListingStatus; courseVersionId: string; reason: string | null; at: Date },
): Promise<void> {
  await sql.query(
    `UPDATE marketplace.listings SET status = $2, course_version_id = $3, last_reason = COALESCE($4, last_reason), updated_at = $5 WHERE listing_id = $1`,
    [id, to.status, to.courseVersionId, to.reason, to.at],
  );
}

export interface ListingCopy {
  title?: string;
  description?: string;
  marketingCopy?: string | null;
  screenshots?: string[];
  featuredAssets?: string[];
  refundPolicyId?: string | null;
}

export async function saveCopy(sql: Sql, id: string, copy: ListingCopy, at: Date): Promise<void> {
  // A null argument keeps the column; marketing copy and refund policy can be cleared with the flags.
  await sql.query(
    `UPDATE marketplace.listings SET
       title = COALESCE($2, title), description = COALESCE($3, description),
       marketing_copy = CASE WHEN $4 THEN $5 ELSE marketing_copy END,
       screenshots = COALESCE($6::jsonb, screenshots), featured_assets = COALESCE($7::jsonb, featured_assets),
       refund_policy_id = CASE WHEN $8 THEN $9 ELSE refund_policy_id END,
       updated_at = $10
     WHERE listing_id = $1`,
    [
      id,
      copy.title ?? null,
      copy.description ?? null,
      copy.marketingCopy !== undefined,
      copy.marketingCopy ?? null,
      copy.screenshots ? JSON.stringify(copy.screenshots) : null,
      copy.featuredAssets ? JSON.stringify(copy.featuredAssets) : null,
      copy.refundPolicyId !== undefined,
      copy.refundPolicyId ?? null,
      at,
    ],
  );
}

/** Readiness of this exact (course, version) pair; a version upstream never mentioned is not ready. */
export async function readinessOf(sql: Sql, courseId: string, courseVersionId: string): Promise<VersionReadiness> {
  const result = await sql.query<{ published: boolean; built: boolean }>(
    `SELECT published, play_package_built AS built FROM marketplace.version_readiness WHERE course_version_id = $1 AND course_id = $2`,
    [courseVersionId, courseId],
  );
  const row = result.rows[0];
  return { published: row?.published ?? false, playPackageBuilt: row?.built ?? false };
}

export async function recordKycVerified(sql: Sql, providerId: string, at: Date): Promise<void> {
  await sql.query(
    `INSERT INTO marketplace.provider_kyc (provider_id, status, verified_at) VALUES ($1, 'verified', $2) ON CONFLICT (provider_id) DO NOTHING`,
    [providerId, at],
  );
}

export async function recordReadiness(
  sql: Sql,
  fact: { courseId: string; courseVersionId: string; published?: true; built?: true },
): Promise<void> {
  await sql.query(
    `INSERT INTO marketplace.version_readiness (course_version_id, course_id, published, play_package_built)
     VALUES ($1, $2, $3, $4)
     ON CONFLICT (course_version_id) DO UPDATE SET
       published = version_readiness.published OR EXCLUDED.published,
       play_package_built = version_readiness.play_package_built OR EXCLUDED.play_package_built`,
    [fact.courseVersionId, fact.courseId, fact.published ?? false, fact.built ?? false],
  );
}
