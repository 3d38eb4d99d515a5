import type { Sql } from "../../../platform/db/db.js";
import type { LicenseKind, LicenseState, LicenseTerms } from "./license.js";

export interface LicenseRow {
  licenseId: string;
  orderId: string;
  line: number;
  tenantId: string;
  buyerUserId: string;
  listingId: string;
  courseId: string;
  courseVersionId: string;
  kind: LicenseKind;
  state: LicenseState;
  seatTotal: number | null;
  seatsAssigned: number;
  validFrom: Date;
  validUntil: Date | null;
  perpetualOffline: boolean;
}

const COLUMNS = `license_id AS "licenseId", order_id AS "orderId", line, tenant_id AS "tenantId", buyer_user_id AS "buyerUserId", listing_id AS "listingId",
  course_id AS "courseId", course_version_id AS "courseVersionId", kind, state, seat_total AS "seatTotal", seats_assigned AS "seatsAssigned",
  valid_from AS "validFrom", valid_until AS "validUntil", perpetual_offline AS "perpetualOffline"`;

export type NewLicense = Pick<LicenseRow, "licenseId" | "orderId" | "line" | "tenantId" | "buyerUserId" | "listingId" | "courseId" | "courseVersionId" | "perpetualOffline"> & {
  terms: LicenseTerms;
};

/** Idempotent per (order, line): a replayed step finds the licenses it granted before. */
export async function insertLicenses(sql: Sql, licenses: readonly NewLicense[], at: Date): Promise<LicenseRow[]> {
  for (const l of licenses) {
    await sql.query(
      `INSERT INTO marketplace.licenses (license_id, order_id, line, tenant_id, buyer_user_id, listing_id, course_id, course_version_id, kind, state,
         seat_total, valid_from, valid_until, perpetual_offline, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'active', $10, $11, $12, $13, $14, $14) ON CONFLICT (order_id, line) DO NOTHING`,
      [l.licenseId, l.orderId, l.line, l.tenantId, l.buyerUserId, l.listingId, l.courseId, l.courseVersionId, l.terms.kind, l.terms.seatTotal,
        l.terms.validFrom, l.terms.validUntil, l.perpetualOffline, at],
    );
  }
  return licensesOfOrder(sql, licenses[0]?.orderId ?? "");
}

export async function licensesOfOrder(sql: Sql, orderId: string): Promise<LicenseRow[]> {
  const result = await sql.query<LicenseRow>(`SELECT ${COLUMNS} FROM marketplace.licenses WHERE order_id = $1 ORDER BY line`, [orderId]);
  return result.rows;
}

export async function findLicense(sql: Sql, licenseId: string, lock = false): Promise<LicenseRow | null> {
  const result = await sql.query<LicenseRow>(`SELECT ${COLUMNS} FROM marketplace.licenses WHERE license_id = $1${lock ? " FOR UPDATE" : ""}`, [licenseId]);
  return result.rows[0] ?? null;
}

/** Returns the licenses this call revoked (already revoked ones are left alone). */
export async function revokeLicensesOfOrder(sql: Sql, orderId: string, reason: string, at: Date): Promise<LicenseRow[]> {
  const result = await sql.query<LicenseRow>(
    `UPDATE marketplace.licenses SET state = 'revoked', revoked_reason = $2, updated_at = $3
      WHERE order_id = $1 AND state <> 'revoked' RETURNING ${COLUMNS}`,
    [orderId, reason, at],
  );
  return result.rows;
}

/**
 * Licenses whose valid_until has passed move to expired, claimed through the partial index with
 * FOR UPDATE SKIP LOCKED (two pollers never take the same row; the state check makes it once).
 */
export async function expireDue(sql: Sql, now: Date, limit: number): Promise<LicenseRow[]> {
  const result = await sql.query<LicenseRow>(
    `UPDATE marketplace.licenses SET state = 'expired', updated_at = $1
      WHERE license_id IN (SELECT license_id FROM marketplace.licenses
                            WHERE state = 'active' AND valid_until IS NOT NULL AND valid_until <= $1
                            ORDER BY valid_until LIMIT $2 FOR UPDATE SKIP LOCKED)
        AND state = 'active'
      RETURNING ${COLUMNS}`,
    [now, limit],
  );
  return result.rows;
}
