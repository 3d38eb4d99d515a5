import type { Db, Sql, Write } from "../../../platform/db/db.js";
import { sqlText } from "../../../platform/db/sql-text.js";
import type { Envelope } from "../../../platform/events/envelope.js";
import { earliestIn } from "../../../platform/poller.js";
import type { DeliveryStatus } from "./delivery.domain.js";

export interface Delivery {
  deliveryId: string;
  endpointId: string;
  eventId: string;
  eventType: string;
  status: DeliveryStatus;
  attempts: number;
  nextAttemptAt: Date | null;
  lastAttemptAt: Date | null;
  responseStatus: number | null;
  responseBody: string | null;
  error: string | null;
  deliveredAt: Date | null;
  createdAt: Date;
  seq: string;
}

interface DeliveryRow {
  delivery_id: string;
  endpoint_id: string;
  event_id: string;
  event_type: string;
  status: DeliveryStatus;
  attempts: number;
  next_attempt_at: Date | string | null;
  last_attempt_at: Date | string | null;
  response_status: number | null;
  response_body: string | null;
  last_error: string | null;
  delivered_at: Date | string | null;
  created_at: Date | string;
  seq: string | number;
}

const COLUMNS = `delivery_id, endpoint_id, event_id, event_type, status, attempts, next_attempt_at, last_attempt_at,
  response_status, response_body, last_error, delivered_at, created_at, seq`;
const date = (value: Date | string | null) => (value === null ? null : new Date(value));

const toDelivery = (row: DeliveryRow): Delivery => ({
  deliveryId: row.delivery_id,
  endpointId: row.endpoint_id,
  eventId: row.event_id,
  eventType: row.event_type,
  status: row.status,
  attempts: row.attempts,
  nextAttemptAt: row.status === "pending" ? date(row.next_attempt_at) : null,
  lastAttemptAt: date(row.last_attempt_at),
  responseStatus: row.response_status,
  responseBody: row.response_body,
  error: row.last_error,
  deliveredAt: date(row.delivered_at),
  createdAt: new Date(row.created_at),
  seq: String(row.seq),
});

/**
 * One delivery per enabled endpoint of the event's tenant whose filters match its type (endpoint.domain.ts
 * `matches`), each with its event's outbox position, the order a partition key's deliveries go out in. The id is derived from (endpoint, event), so it is the same
 * `webhook-id` on every attempt and replay, and a redelivered event adds nothing (the unique pair).
 * Events with no tenant are the platform's own and go to no tenant's endpoint.
 */
export function deliveriesWrite(events: readonly Envelope[], now: Date): Write[] {
  const mine = events.filter((event) => event.tenantId !== null);
  if (mine.length === 0) return [];
  const column = <T>(pick: (event: Envelope) => T) => mine.map(pick);
  return [
    {
      ctes: [
        sqlText`INSERT INTO webhooks.deliveries
           (delivery_id, tenant_id, endpoint_id, event_id, event_type, partition_key, occurred_at, position, body, next_attempt_at, created_at)
         SELECT 'msg_' || md5(e.endpoint_id || '/' || ev.event_id), e.tenant_id, e.endpoint_id, ev.event_id, ev.type, ev.partition_key,
                ev.occurred_at, coalesce(o.position, 9223372036854775807), ev.body, ${now}::timestamptz, ${now}::timestamptz
           FROM unnest(${column((e) => e.eventId)}::text[], ${column((e) => e.tenantId)}::text[], ${column((e) => e.type)}::text[],
                  ${column((e) => e.partitionKey)}::text[], ${column((e) => e.occurredAt)}::timestamptz[], ${column((e) => JSON.stringify(e))}::text[])
                  WITH ORDINALITY AS ev(event_id, tenant_id, type, partition_key, occurred_at, body, n)
           JOIN webhooks.endpoints e ON e.tenant_id = ev.tenant_id AND e.status = 'enabled'
           LEFT JOIN platform.outbox o ON o.event_id = ev.event_id
          WHERE EXISTS (SELECT 1 FROM unnest(e.events) AS f(filter)
                         WHERE f.filter = ev.type OR (right(f.filter, 1) = '.' AND left(ev.type, length(f.filter)) = f.filter))
          ORDER BY ev.n, e.endpoint_id
         ON CONFLICT (endpoint_id, event_id) DO NOTHING`,
      ],
    },
  ];
}

/** How far back (in outbox positions) the gate looks for an earlier event of the key not fanned out yet (see HEADS). */
export const FANOUT_WINDOW = 10_000;

/**
 * The head of each (endpoint, partition key): a pending delivery that nothing earlier of its key
 * could still overtake. Two checks:
 * - no earlier pending delivery of the key (dead, delivered and canceled ones do not block);
 * - no earlier event of the key in the outbox (same tenant and partition key, an earlier position, a
 *   type the endpoint's filters match) that the `webhooks.fanout` consumer has not recorded yet (no
 *   inbox row) nor dead-lettered. On NATS each wire type has its own durable consumer, so a later
 *   event of another type (the `.v2` of a dual-published pair, order.paid after payment.succeeded)
 *   can be fanned out, recorded and sent before an earlier one is even recorded; this waits for it.
 *   Only the FANOUT_WINDOW outbox positions before the delivery's own count: a range of the
 *   outbox's primary key, read without an index of its own (an index by tenant and key cost every
 *   deployment's outbox writes about 10% of purchase throughput, webhooks on or off). Fan-out keeps
 *   far closer than 10,000 events behind the log; an event further behind is stuck in its consumer's retries (it ends
 *   dead-lettered); holding the key's later deliveries behind it longer would stall the key for a
 *   receiver without making the order any more right.
 */
const HEADS = `d.status = 'pending'
   AND EXISTS (SELECT 1 FROM webhooks.endpoints e WHERE e.endpoint_id = d.endpoint_id AND e.status = 'enabled')
   AND NOT EXISTS (SELECT 1 FROM webhooks.deliveries p
                    WHERE p.endpoint_id = d.endpoint_id AND p.partition_key = d.partition_key AND p.status = 'pending'
                      AND p.position < d.position)
   AND NOT EXISTS (SELECT 1 FROM platform.outbox o JOIN webhooks.endpoints fe ON fe.endpoint_id = d.endpoint_id
                    WHERE o.tenant_id = d.tenant_id AND o.partition_key = d.partition_key AND o.position < d.position
                      AND o.position >= d.position - ${FANOUT_WINDOW}
                      AND EXISTS (SELECT 1 FROM unnest(fe.events) AS f(filter)
                                   WHERE f.filter = o.type OR (right(f.filter, 1) = '.' AND left(o.type, length(f.filter)) = f.filter))
                      AND NOT EXISTS (SELECT 1 FROM platform.inbox i WHERE i.consumer = 'webhooks.fanout' AND i.event_id = o.event_id)
                      AND NOT EXISTS (SELECT 1 FROM platform.dead_letters x
                                       WHERE x.consumer = 'webhooks.fanout' AND x.event_id = o.event_id))`;

export function nextDue(db: Db): Promise<Date | null> {
  return earliestIn(db, `SELECT min(d.next_attempt_at) AS due FROM webhooks.deliveries d WHERE ${HEADS}`);
}

export interface Claimed {
  deliveryId: string;
  tenantId: string;
  endpointId: string;
  attempts: number;
  body: string;
  url: string;
  secret: string;
}

/** Claims due heads and leases them until `leaseUntil` (another worker passes over them meanwhile). */
export async function claimDue(sql: Sql, now: Date, leaseUntil: Date, limit: number): Promise<Claimed[]> {
  const result = await sql.query<{
    delivery_id: string;
    tenant_id: string;
    endpoint_id: string;
    attempts: number;
    body: string;
    url: string;
    secret: string;
  }>(
    `WITH due AS (
       SELECT d.delivery_id FROM webhooks.deliveries d
        WHERE d.next_attempt_at <= $1 AND ${HEADS}
        ORDER BY d.next_attempt_at, d.position LIMIT $3 FOR UPDATE OF d SKIP LOCKED)
     UPDATE webhooks.deliveries d SET next_attempt_at = $2
       FROM due, webhooks.endpoints e
      WHERE d.delivery_id = due.delivery_id AND e.endpoint_id = d.endpoint_id
      RETURNING d.delivery_id, d.tenant_id, d.endpoint_id, d.attempts, d.body, e.url, e.secret`,
    [now, leaseUntil, limit],
  );
  return result.rows.map((row) => ({
    deliveryId: row.delivery_id,
    tenantId: row.tenant_id,
    endpointId: row.endpoint_id,
    attempts: row.attempts,
    body: row.body,
    url: row.url,
    secret: row.secret,
  }));
}

export interface AttemptRecord {
  deliveryId: string;
  status: DeliveryStatus;
  retryAt: Date | null;
  responseStatus: number | null;
  responseBody: string | null;
  error: string | null;
  at: Date;
}

/**
 * One attempt's result: counted, its answer kept (bounded), the next due time or the final status. A
 * delivery canceled while it was being posted (its endpoint disabled meanwhile) stays canceled unless
 * this attempt delivered it (then it did reach the receiver, and says so).
 */
export async function recordAttempt(sql: Sql, record: AttemptRecord): Promise<void> {
  await sql.query(
    `UPDATE webhooks.deliveries
        SET status = CASE WHEN status = 'canceled' AND $2::text = 'pending' THEN 'canceled' ELSE $2::text END,
            next_attempt_at = CASE WHEN status = 'canceled' THEN NULL ELSE $3::timestamptz END,
            attempts = attempts + 1, last_attempt_at = $7,
            response_status = $4, response_body = $5, last_error = $6,
            delivered_at = CASE WHEN $2::text = 'delivered' THEN $7::timestamptz ELSE delivered_at END
      WHERE delivery_id = $1`,
    [record.deliveryId, record.status, record.retryAt, record.responseStatus, record.responseBody, record.error, record.at],
  );
}

/** An endpoint's deliveries, newest first, after the cursor's `seq`. */
export async function deliveriesOf(
  sql: Sql,
  endpointId: string,
  page: { before?: string; status?: DeliveryStatus; limit: number },
): Promise<Delivery[]> {
  const result = await sql.query<DeliveryRow>(
    `SELECT ${COLUMNS} FROM webhooks.deliveries
      WHERE endpoint_id = $1 AND ($2::bigint IS NULL OR seq < $2) AND ($3::text IS NULL OR status = $3)
      ORDER BY seq DESC LIMIT $4`,
    [endpointId, page.before ?? null, page.status ?? null, page.limit],
  );
  return result.rows.map(toDelivery);
}

export type Requeued = { kind: "requeued"; delivery: Delivery } | { kind: "pending" } | { kind: "not_found" };

/**
 * Sends a delivery again from the start of the schedule (same webhook-id). Only a final one (dead or
 * delivered) can be: a pending one may be in a worker's hands right now (claimed, being posted), and
 * requeuing it would post it twice. The row is locked first, so a worker's outcome and this never cross.
 */
export async function requeue(sql: Sql, endpointId: string, deliveryId: string, now: Date): Promise<Requeued> {
  const found = await sql.query<{ status: DeliveryStatus }>(
    `SELECT status FROM webhooks.deliveries WHERE endpoint_id = $1 AND delivery_id = $2 FOR UPDATE`,
    [endpointId, deliveryId],
  );
  const status = found.rows[0]?.status;
  if (status === undefined) return { kind: "not_found" };
  // A canceled one belongs to a disabled endpoint, which the route refuses before asking.
  if (status !== "dead" && status !== "delivered") return { kind: "pending" };
  const result = await sql.query<DeliveryRow>(
    `UPDATE webhooks.deliveries SET status = 'pending', attempts = 0, next_attempt_at = $3, delivered_at = NULL
      WHERE endpoint_id = $1 AND delivery_id = $2 RETURNING ${COLUMNS}`,
    [endpointId, deliveryId, now],
  );
  return { kind: "requeued", delivery: toDelivery(result.rows[0]!) };
}
