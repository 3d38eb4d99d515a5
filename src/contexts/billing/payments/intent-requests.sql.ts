import type { Sql } from "../../../platform/db/db.js";
import { withChildSpan, type EventMetadata } from "../../../platform/events/envelope.js";

/**
 * What the events billing writes for an intent later carry (a provider's late answer, a webhook): the
 * asking request's metadata on a span of this hop's, with `requestId` the caller's if it had one.
 */
export async function laterTrace(sql: Sql, paymentId: string, requestId?: string): Promise<{ metadata: EventMetadata }> {
  const result = await sql.query<{ request_metadata: EventMetadata | null }>(
    `SELECT request_metadata FROM billing.payment_intents WHERE payment_id = $1`,
    [paymentId],
  );
  const asked = result.rows[0]?.request_metadata ?? {};
  return { metadata: withChildSpan({ ...asked, ...(requestId !== undefined ? { requestId } : {}) }) };
}
