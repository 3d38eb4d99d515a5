import type { Sql } from "../../../platform/db/db.js";

export interface SeatAssignmentRow {
  seatAssignmentId: string;
  licenseId: string;
  userId: string;
  orderId: string;
  status: "active" | "released";
  enrollmentId: string | null;
  assignedAt: Date;
  releasedAt: Date | null;
}

const COLUMNS = `seat_assignment_id AS "seatAssignmentId", license_id AS "licenseId", user_id AS "userId", order_id AS "orderId", status,
  enrollment_id AS "enrollmentId", assigned_at AS "assignedAt", released_at AS "releasedAt"`;

/** The active seats some of these learners already hold on the license. */
export async function activeSeatsOf(sql: Sql, licenseId: string, userIds: readonly string[]): Promise<Map<string, SeatAssignmentRow>> {
  if (userIds.length === 0) return new Map();
  const result = await sql.query<SeatAssignmentRow>(
    `SELECT ${COLUMNS} FROM marketplace.seat_assignments WHERE license_id = $1 AND status = 'active' AND user_id = ANY($2::text[])`,
    [licenseId, userIds],
  );
  return new Map(result.rows.map((r) => [r.userId, r]));
}

/**
 * One multi-row insert. A learner who already holds an active seat conflicts on the partial unique
 * index and is skipped: only the rows returned were inserted.
 */
export async function insertAssignments(
  sql: Sql,
  license: { licenseId: string; tenantId: string; orderId: string },
  rows: ReadonlyArray<{ seatAssignmentId: string; userId: string; enrollmentId: string }>,
  at: Date,
): Promise<Array<{ seatAssignmentId: string; userId: string }>> {
  if (rows.length === 0) return [];
  const result = await sql.query<{ seatAssignmentId: string; userId: string }>(
    `INSERT INTO marketplace.seat_assignments (seat_assignment_id, license_id, tenant_id, user_id, order_id, status, enrollment_id, assigned_at)
     SELECT id, $4, $5, user_id, $6, 'active', enrollment_id, $7 FROM unnest($1::text[], $2::text[], $3::text[]) AS t (id, user_id, enrollment_id)
     ON CONFLICT DO NOTHING
     RETURNING seat_assignment_id AS "seatAssignmentId", user_id AS "userId"`,
    [
      rows.map((r) => r.seatAssignmentId),
      rows.map((r) => r.userId),
      rows.map((r) => r.enrollmentId),
      license.licenseId,
      license.tenantId,
      license.orderId,
      at,
    ],
  );
  return result.rows;
}

/**
 * Invariant 6: the counter moves in one conditional statement; it refuses (no row) rather than
 * overshoot the seat total, and the table's CHECK is the last line of defence.
 */
export async function takeSeats(
  sql: Sql,
  licenseId: string,
  count: number,
  at: Date,
): Promise<{ seatsAssigned: number; seatTotal: number } | null> {
  const result = await sql.query<{ seatsAssigned: number; seatTotal: number }>(
    `UPDATE marketplace.licenses SET seats_assigned = seats_assigned + $2, updated_at = $3
      WHERE license_id = $1 AND kind = 'seat_pack' AND state = 'active' AND seats_assigned + $2 <= seat_total
      RETURNING seats_assigned AS "seatsAssigned", seat_total AS "seatTotal"`,
    [licenseId, count, at],
  );
  return result.rows[0] ?? null;
}

export async function giveBackSeat(sql: Sql, licenseId: string, at: Date): Promise<{ seatsAssigned: number; seatTotal: number } | null> {
  const result = await sql.query<{ seatsAssigned: number; seatTotal: number }>(
    `UPDATE marketplace.licenses SET seats_assigned = seats_assigned - 1, updated_at = $2
      WHERE license_id = $1 AND seats_assigned >= 1
      RETURNING seats_assigned AS "seatsAssigned", seat_total AS "seatTotal"`,
    [licenseId, at],
  );
  return result.rows[0] ?? null;
}

/** Active → released, once: a second release finds no active row. */
export async function markReleased(sql: Sql, licenseId: string, seatAssignmentId: string, at: Date): Promise<SeatAssignmentRow | null> {
  const result = await sql.query<SeatAssignmentRow>(
    `UPDATE marketplace.seat_assignments SET status = 'released', released_at = $3
      WHERE license_id = $1 AND seat_assignment_id = $2 AND status = 'active' RETURNING ${COLUMNS}`,
    [licenseId, seatAssignmentId, at],
  );
  return result.rows[0] ?? null;
}

export async function findAssignment(sql: Sql, licenseId: string, seatAssignmentId: string): Promise<SeatAssignmentRow | null> {
  const result = await sql.query<SeatAssignmentRow>(
    `SELECT ${COLUMNS} FROM marketplace.seat_assignments WHERE license_id = $1 AND seat_assignment_id = $2`,
    [licenseId, seatAssignmentId],
  );
  return result.rows[0] ?? null;
}

/** Active seats of a license, by id, after a cursor. */
export async function listActiveSeats(sql: Sql, licenseId: string, after: string | undefined, limit: number): Promise<SeatAssignmentRow[]> {
  const result = await sql.query<SeatAssignmentRow>(
    `SELECT ${COLUMNS} FROM marketplace.seat_assignments
      WHERE license_id = $1 AND status = 'active' AND ($2::text IS NULL OR seat_assignment_id > $2)
      ORDER BY seat_assignment_id LIMIT $3`,
    [licenseId, after ?? null, limit],
  );
  return result.rows;
}
