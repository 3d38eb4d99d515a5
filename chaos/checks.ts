// What must hold after the faults: read from the database as its owner and from the run's own JetStream.
import { connect } from "@nats-io/transport-node";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import type pg from "pg";

export interface Findings {
  orders: Record<string, number>;
  events: { outbox: number; onTheBus: number; publishedTwice: number; missing: number };
  deadLetters: Array<{ eventId: string; consumer: string; error: string }>;
  violations: string[];
}

const TERMINAL = new Set(["fulfilled", "failed", "refunded"]);

/** Every acknowledged order exists and is terminal, with exactly one of each effect. */
async function checkOrders(pool: pg.Pool, acknowledged: readonly string[], violations: string[]): Promise<Record<string, number>> {
  const statuses = await pool.query<{ status: string; n: number }>(
    "SELECT status, count(*)::int AS n FROM marketplace.orders GROUP BY status",
  );
  const orders = Object.fromEntries(statuses.rows.map((row) => [row.status, row.n]));
  for (const [status, n] of Object.entries(orders)) if (!TERMINAL.has(status)) violations.push(`${n} orders still ${status}`);
  const known = await pool.query<{ order_id: string }>("SELECT order_id FROM marketplace.orders WHERE order_id = ANY($1)", [acknowledged]);
  const lost = acknowledged.length - known.rowCount!;
  if (lost > 0) violations.push(`${lost} orders answered 201 are not in the database`);
  const doubled: Array<[string, string]> = [
    [
      "orders fulfilled without exactly one license per line",
      `SELECT o.order_id FROM marketplace.orders o JOIN marketplace.order_items i USING (order_id)
       LEFT JOIN marketplace.licenses l ON l.order_id = i.order_id AND l.line = i.line
      WHERE o.status = 'fulfilled' GROUP BY o.order_id, i.line HAVING count(l.license_id) <> 1`,
    ],
    [
      "orders fulfilled without exactly one succeeded payment",
      `SELECT o.order_id FROM marketplace.orders o LEFT JOIN billing.payment_intents p ON p.order_id = o.order_id AND p.status = 'succeeded'
      WHERE o.status = 'fulfilled' AND o.total > 0 GROUP BY o.order_id HAVING count(p.payment_id) <> 1`,
    ],
    [
      "licenses with other than one enrollment",
      `SELECT l.license_id FROM marketplace.licenses l LEFT JOIN enrollment.enrollments e ON e.license_id = l.license_id
      WHERE l.state = 'active' AND l.kind = 'one_time' GROUP BY l.license_id HAVING count(e.id) <> 1`,
    ],
    [
      "order lines with other than one sale earning",
      `SELECT o.order_id FROM marketplace.orders o JOIN marketplace.order_items i USING (order_id)
       LEFT JOIN marketplace.earnings e ON e.order_id = i.order_id AND e.line = i.line AND e.kind = 'sale'
      WHERE o.status = 'fulfilled' AND o.total > 0 GROUP BY o.order_id, i.line HAVING count(e.entry_id) <> 1`,
    ],
    [
      "orders with more than one placed or terminal event",
      `SELECT correlation_id FROM platform.outbox
      WHERE type IN ('marketplace.order.placed.v1', 'marketplace.order.fulfilled.v1', 'marketplace.order.failed.v1')
      GROUP BY correlation_id, type HAVING count(*) > 1`,
    ],
  ];
  for (const [what, sql] of doubled) {
    const rows = await pool.query(sql);
    if (rows.rowCount! > 0) violations.push(`${rows.rowCount} ${what}`);
  }
  return orders;
}

/** Every outbox event is on the bus once (poison excepted), and nothing waits to be published. */
async function checkEvents(
  pool: pg.Pool,
  natsUrl: string,
  prefix: string,
  poison: ReadonlySet<string>,
  violations: string[],
): Promise<Findings["events"]> {
  const pending = await pool.query<{ n: number }>("SELECT count(*)::int AS n FROM platform.outbox_pending");
  if (pending.rows[0]!.n > 0) violations.push(`${pending.rows[0]!.n} outbox rows never published`);
  const outbox = await pool.query<{ event_id: string }>("SELECT event_id FROM platform.outbox");
  const seen = new Map<string, number>();
  const nc = await connect({ servers: natsUrl });
  try {
    const jsm = await jetstreamManager(nc);
    const js = jetstream(nc);
    const streamPrefix = `${prefix.toUpperCase()}_GHASI_`;
    for await (const stream of jsm.streams.list()) {
      if (!stream.config.name.startsWith(streamPrefix) || stream.state.messages === 0) continue;
      const reader = await js.consumers.get(stream.config.name);
      const total = stream.state.messages;
      let read = 0;
      while (read < total) {
        const batch = await reader.fetch({ max_messages: 1_000, expires: 2_000 });
        let got = 0;
        for await (const message of batch) {
          got++;
          read++;
          const id = message.headers?.get("Nats-Msg-Id") || (message.json<{ eventId?: string }>().eventId ?? "");
          seen.set(id, (seen.get(id) ?? 0) + 1);
        }
        if (got === 0) break;
      }
    }
  } finally {
    await nc.close();
  }
  let missing = 0;
  for (const row of outbox.rows) if (!seen.has(row.event_id) && !poison.has(row.event_id)) missing++;
  const publishedTwice = [...seen.values()].filter((n) => n > 1).length;
  if (missing > 0) violations.push(`${missing} outbox events never reached the bus`);
  if (publishedTwice > 0) violations.push(`${publishedTwice} events are on the bus more than once`);
  return { outbox: outbox.rowCount!, onTheBus: [...seen.values()].reduce((a, b) => a + b, 0), publishedTwice, missing };
}

/** Dead letters hold the poison and nothing else. */
async function checkDeadLetters(pool: pg.Pool, poison: ReadonlySet<string>, violations: string[]): Promise<Findings["deadLetters"]> {
  const rows = await pool.query<{ event_id: string; consumer: string; last_error: string }>(
    "SELECT event_id, consumer, last_error FROM platform.dead_letters ORDER BY dead_at",
  );
  const deadLetters = rows.rows.map((row) => ({ eventId: row.event_id, consumer: row.consumer, error: row.last_error.slice(0, 160) }));
  for (const letter of deadLetters)
    if (!poison.has(letter.eventId))
      violations.push(`dead letter for a healthy event ${letter.eventId} (${letter.consumer}): ${letter.error}`);
  for (const id of poison)
    if (!deadLetters.some((letter) => letter.eventId === id)) violations.push(`poison event ${id} is not in the dead letters`);
  return deadLetters;
}

export async function check(
  pool: pg.Pool,
  options: { acknowledged: readonly string[]; natsUrl: string; prefix: string; poison: ReadonlySet<string> },
): Promise<Findings> {
  const violations: string[] = [];
  const orders = await checkOrders(pool, options.acknowledged, violations);
  const events = await checkEvents(pool, options.natsUrl, options.prefix, options.poison, violations);
  const deadLetters = await checkDeadLetters(pool, options.poison, violations);
  return { orders, events, deadLetters, violations };
}
