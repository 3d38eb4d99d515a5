import type { Sql, Tx, Write } from "../../../platform/db/db.js";
import { DeferredRows } from "../../../platform/db/deferred-rows.js";
import { sqlText } from "../../../platform/db/sql-text.js";
import type { LicenseKind, LicenseState, LicenseTerms } from "./license.domain.js";

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

export type NewLicense = Pick<
  LicenseRow,
  "licenseId" | "orderId" | "line" | "tenantId" | "buyerUserId" | "listingId" | "courseId" | "courseVersionId" | "perpetualOffline"
> & {
  terms: LicenseTerms;
};

/**
 * Grants licenses with the transaction's other deferred writes: one insert for a consumer batch's
 * orders instead of one statement each. Returns the rows as they will be written. The saga grants
 * an order's licenses once (its step is recorded in the same transaction), so a second grant is a
 * bug: the unique (order, line) key makes it fail the batch loudly instead of passing unnoticed.
 * A revocation in the same transaction (a compensation) changes the buffered rows; any other
 * statement that names the table is preceded by their write (`DeferredWrites.tables`).
 */
export function grantLicensesAtCommit(tx: Tx, licenses: readonly NewLicense[], at: Date): LicenseRow[] {
  const rows = licenses.map((l): LicenseRow => ({
    licenseId: l.licenseId,
    orderId: l.orderId,
    line: l.line,
    tenantId: l.tenantId,
    buyerUserId: l.buyerUserId,
    listingId: l.listingId,
    courseId: l.courseId,
    courseVersionId: l.courseVersionId,
    kind: l.terms.kind,
    state: "active",
    seatTotal: l.terms.seatTotal,
    seatsAssigned: 0,
    validFrom: l.terms.validFrom,
    validUntil: l.terms.validUntil,
    perpetualOffline: l.perpetualOffline,
  }));
  pending(tx).rows.push(...rows.map((row) => ({ ...row, at, revokedReason: null })));
  return rows;
}

type PendingLicense = LicenseRow & { at: Date; revokedReason: string | null };
const PENDING = {};
const pending = (tx: Tx) =>
  tx.deferred(PENDING, () => new DeferredRows<PendingLicense>(50, (rows) => [licensesWrite(rows)], ["marketplace.licenses"]));

const licenseOf = ({ at: _at, revokedReason: _reason, ...license }: PendingLicense): LicenseRow => license;

/**
 * An order's licences are granted once, all together (the saga records the step in the same
 * transaction): while they are buffered, none of them is in the table yet.
 */
const bufferedOf = (tx: Tx, orderId: string) => pending(tx).rows.filter((row) => row.orderId === orderId);

function licensesWrite(rows: readonly PendingLicense[]): Write {
  const column = <T>(pick: (l: PendingLicense) => T) => rows.map(pick);
  return {
    ctes: [
      sqlText`INSERT INTO marketplace.licenses (license_id, order_id, line, tenant_id, buyer_user_id, listing_id, course_id, course_version_id, kind, state,
           seat_total, valid_from, valid_until, perpetual_offline, revoked_reason, created_at, updated_at)
       SELECT n.license_id, n.order_id, n.line, n.tenant_id, n.buyer_user_id, n.listing_id, n.course_id, n.course_version_id, n.kind, n.state,
              n.seat_total, n.valid_from, n.valid_until, n.perpetual_offline, n.revoked_reason, n.at, n.at
         FROM unnest(${column((l) => l.licenseId)}::text[], ${column((l) => l.orderId)}::text[], ${column((l) => l.line)}::int[],
           ${column((l) => l.tenantId)}::text[], ${column((l) => l.buyerUserId)}::text[], ${column((l) => l.listingId)}::text[],
           ${column((l) => l.courseId)}::text[], ${column((l) => l.courseVersionId)}::text[], ${column((l) => l.kind)}::text[],
           ${column((l) => l.seatTotal)}::int[], ${column((l) => l.validFrom)}::timestamptz[], ${column((l) => l.validUntil)}::timestamptz[],
           ${column((l) => l.perpetualOffline)}::boolean[], ${column((l) => l.at)}::timestamptz[], ${column((l) => l.state)}::text[],
           ${column((l) => l.revokedReason)}::text[])
         AS n(license_id, order_id, line, tenant_id, buyer_user_id, listing_id, course_id, course_version_id, kind, seat_total, valid_from, valid_until,
              perpetual_offline, at, state, revoked_reason)`,
    ],
  };
}

export async function licensesOfOrder(sql: Sql, orderId: string): Promise<LicenseRow[]> {
  const result = await sql.query<LicenseRow>(`SELECT ${COLUMNS} FROM marketplace.licenses WHERE order_id = $1 ORDER BY line`, [orderId]);
  return result.rows;
}

/**
 * The same, inside a transaction: licences granted in it are read from its buffer, so the batch's
 * grants stay one insert at commit.
 */
export async function licensesOfOrderIn(tx: Tx, orderId: string): Promise<LicenseRow[]> {
  const buffered = bufferedOf(tx, orderId);
  if (buffered.length === 0) return licensesOfOrder(tx, orderId);
  return buffered.map(licenseOf).sort((a, b) => a.line - b.line);
}

export async function findLicense(sql: Sql, licenseId: string, lock = false): Promise<LicenseRow | null> {
  const result = await sql.query<LicenseRow>(
    `SELECT ${COLUMNS} FROM marketplace.licenses WHERE license_id = $1${lock ? " FOR UPDATE" : ""}`,
    [licenseId],
  );
  return result.rows[0] ?? null;
}

/** Returns the licenses this call revoked (already revoked ones are left alone), granted in this transaction or before. */
export async function revokeLicensesOfOrder(tx: Tx, orderId: string, reason: string, at: Date): Promise<LicenseRow[]> {
  if (bufferedOf(tx, orderId).length > 0)
    return pending(tx)
      .update((row) =>
        row.orderId === orderId && row.state !== "revoked" ? { ...row, state: "revoked", revokedReason: reason } : undefined,
      )
      .map(licenseOf);
  const result = await tx.query<LicenseRow>(
    `UPDATE marketplace.licenses SET state = 'revoked', revoked_reason = $2, updated_at = $3
      WHERE order_id = $1 AND state <> 'revoked' RETURNING ${COLUMNS}`,
    [orderId, reason, at],
  );
  return result.rows;
}

/** The subscription a licence belongs to, if any (the subscription row names its licence). */
export async function subscriptionOfLicense(sql: Sql, licenseId: string): Promise<string | null> {
  const result = await sql.query<{ id: string }>(`SELECT subscription_id AS id FROM marketplace.subscriptions WHERE license_id = $1`, [
    licenseId,
  ]);
  return result.rows[0]?.id ?? null;
}

/** A renewed subscription's licence runs to the new period end (sent, not awaited: nothing reads the answer). */
export function extendLicense(tx: Tx, licenseId: string, until: Date, at: Date): void {
  tx.send(`UPDATE marketplace.licenses SET valid_until = $2, updated_at = $3 WHERE license_id = $1 AND state = 'active'`, [
    licenseId,
    until,
    at,
  ]);
}

/** A subscription ended: its licence expires now. False when it was no longer active (revoked by a refund, already expired). */
export async function endLicense(tx: Tx, licenseId: string, at: Date): Promise<boolean> {
  const result = await tx.query(
    `UPDATE marketplace.licenses SET state = 'expired', valid_until = LEAST(valid_until, $2), updated_at = $2
      WHERE license_id = $1 AND state = 'active' RETURNING license_id`,
    [licenseId, at],
  );
  return result.rows.length > 0;
}

/**
 * Licenses whose valid_until has passed move to expired, claimed through the partial index with
 * FOR UPDATE SKIP LOCKED (two pollers never take the same row; the state check makes it once).
 * `$1` now, `$2` the batch size.
 */
export const EXPIRE_DUE = `UPDATE marketplace.licenses SET state = 'expired', updated_at = $1
      WHERE license_id IN (SELECT l.license_id FROM marketplace.licenses l
                            WHERE l.state = 'active' AND l.valid_until IS NOT NULL AND l.valid_until <= $1
                              -- A subscription's licence is ended by its subscription (renewed, in dunning, or canceled), not by the date.
                              AND NOT EXISTS (SELECT 1 FROM marketplace.subscriptions s WHERE s.license_id = l.license_id)
                            ORDER BY l.valid_until LIMIT $2 FOR UPDATE OF l SKIP LOCKED)
        AND state = 'active'
      RETURNING ${COLUMNS}`;

/** The next valid_until the expiry worker will act on: EXPIRE_DUE's rows, whatever the time (keep the two filters alike). */
export const NEXT_EXPIRY = `SELECT min(l.valid_until) AS due FROM marketplace.licenses l
      WHERE l.state = 'active' AND l.valid_until IS NOT NULL
        AND NOT EXISTS (SELECT 1 FROM marketplace.subscriptions s WHERE s.license_id = l.license_id)`;

export async function expireDue(sql: Sql, now: Date, limit: number): Promise<LicenseRow[]> {
  const result = await sql.query<LicenseRow>(EXPIRE_DUE, [now, limit]);
  return result.rows;
}
