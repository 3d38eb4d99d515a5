import type { Sql } from "../../platform/db/db.js";

/**
 * What other contexts may ask enrollment (through a port they own, wired in src/wiring.ts).
 * Marketplace's refund policy: a license is consumed once a learner completed a course with it.
 */
export async function licenseConsumed(sql: Sql, licenseId: string): Promise<boolean> {
  const result = await sql.query<{ consumed: boolean }>(
    `SELECT EXISTS (SELECT 1 FROM enrollment.enrollments WHERE license_id = $1 AND status = 'completed') AS consumed`,
    [licenseId],
  );
  return result.rows[0]?.consumed === true;
}
