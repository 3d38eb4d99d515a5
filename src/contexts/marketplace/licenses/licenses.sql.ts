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
  if (licenses.length === 0) return [];
  const column = <T>(pick: (l: NewLicense) => T) => licenses.map(pick);
  const inserted = await sql.query<LicenseRow>(
    `INSERT INTO marketplace.licenses (license_id, order_id, line, tenant_id, buyer_user_id, listing_id, course_id, course_version_id, kind, state,
       seat_total, valid_from, valid_until, perpetual_offline, created_at, updated_at)
     SELECT n.license_id, n.order_id, n.line, n.tenant_id, n.buyer_user_id, n.listing_id, n.course_id, n.course_version_id, n.kind, 'active',
            n.seat_total, n.valid_from, n.valid_until, n.perpetual_offline, $13, $13
       FROM unnest($1::text[], $2::text[], $3::int[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[],
         $10::int[], $11::timestamptz[], $12::timestamptz[], $14::boolean[])
       AS n(license_id, order_id, line, tenant_id, buyer_user_id, listing_id, course_id, course_version_id, kind, seat_total, valid_from, valid_until, perpetual_offline)
     ORDER BY n.line
     ON CONFLICT (order_id, line) DO NOTHING RETURNING ${COLUMNS}`,
    [column((l) => l.licenseId), column((l) => l.orderId), column((l) => l.line), column((l) => l.tenantId), column((l) => l.buyerUserId), column((l) => l.listingId),
      column((l) => l.courseId), column((l) => l.courseVersionId), column((l) => l.terms.kind), column((l) => l.terms.seatTotal),
      column((l) => l.terms.validFrom), column((l) => l.terms.validUntil), at, column((l) => l.perpetualOffline)],
  );
  // A replayed grant finds its licenses already there: answer with what the order holds.
  if (inserted.rows.length === licenses.length) return inserted.rows.sort((a, b) => a.line - b.line);
  return licensesOfOrder(sql, licenses[0]!.orderId);
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
