// Subscriptions for the renewals bench: a few bought through the HTTP API (the real flow), the rest
// cloned from them in SQL, row for row, so that every subscription falls due within the span of
// the real purchases.
import { randomBytes } from "node:crypto";
import type { BenchServer } from "./lib.js";
import { http, type Storefront } from "./purchase-client.js";

export interface SeededSubscriptions {
  real: number;
  cloned: number;
  /** The earliest and latest renewal deadline (the test clock's time). */
  firstDue: Date;
  lastDue: Date;
  seconds: { real: number; clone: number };
}

type Sql = NonNullable<BenchServer["sql"]>;

async function until(what: string, timeoutMs: number, probe: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const count = async (sql: Sql, text: string, params: unknown[] = []) => Number((await sql(text, params)).rows[0].n);

/** Buys `n` monthly subscriptions over HTTP, one buyer each, `connections` at a time; waits until every one has started. */
async function buyReal(server: BenchServer, front: Storefront, planId: string, n: number, connections: number): Promise<void> {
  const tokens = await Promise.all(
    Array.from({ length: n }, (_, i) => server.token({ sub: `usr_s${i}`, tid: `ten_b${i % 50}`, roles: ["learner"] })),
  );
  let next = 0;
  await Promise.all(
    Array.from({ length: connections }, async () => {
      for (let i = next++; i < n; i = next++) {
        const response = await http(
          front.baseUrl,
          "POST",
          "/api/v1/orders",
          tokens[i],
          { items: [{ listingId: front.listingId, planId }], payment: { method: "card", token: "tok_visa" } },
          { "idempotency-key": `sub-${i}` },
        );
        if (response.status !== 201) throw new Error(`subscription order ${i}: ${response.status} ${JSON.stringify(response.body)}`);
      }
    }),
  );
  await until(
    `${n} subscriptions started`,
    120_000,
    async () => (await count(server.sql!, `SELECT count(*) AS n FROM marketplace.subscriptions`)) >= n,
  );
}

/**
 * The rows one subscription purchase leaves, by table and by which of the template's ids the row is
 * found by. The event log (outbox, inbox) and the Idempotency-Key record are not cloned: they are
 * history nothing in a renewal reads.
 */
const CLONED: ReadonlyArray<{ table: string; key: string; kind: Kind }> = [
  { table: "marketplace.orders", key: "order_id", kind: "order" },
  { table: "marketplace.order_items", key: "order_id", kind: "order" },
  { table: "billing.payment_intents", key: "order_id", kind: "order" },
  { table: "billing.methods_on_file", key: "owner_ref", kind: "order" },
  { table: "marketplace.licenses", key: "order_id", kind: "order" },
  { table: "platform.saga_instances", key: "id", kind: "order" },
  { table: "platform.saga_instances", key: "id", kind: "sub" },
  { table: "marketplace.subscriptions", key: "order_id", kind: "order" },
  { table: "marketplace.subscription_charges", key: "subscription_id", kind: "sub" },
  { table: "marketplace.earnings", key: "order_id", kind: "order" },
  { table: "enrollment.enrollments", key: "license_id", kind: "license" },
  { table: "platform.saga_steps", key: "saga_id", kind: "order" },
  { table: "platform.saga_steps", key: "saga_id", kind: "sub" },
  { table: "platform.saga_deadlines", key: "saga_id", kind: "sub" },
];
type Kind = "order" | "payment" | "license" | "sub" | "enrollment" | "earning";
const KINDS: Kind[] = ["order", "payment", "license", "sub", "enrollment", "earning"];

/** Every id one real purchase minted, by kind, and its buyer. */
async function templates(sql: Sql): Promise<Array<{ ids: string[]; buyer: string }>> {
  const rows = await sql(
    `SELECT o.order_id AS order, o.payment_id AS payment, l.license_id AS license, s.subscription_id AS sub, e.id AS enrollment,
            r.entry_id AS earning, o.buyer_user_id AS buyer,
            (SELECT count(*) FROM enrollment.enrollments x WHERE x.license_id = l.license_id) AS enrollments,
            (SELECT count(*) FROM marketplace.earnings x WHERE x.order_id = o.order_id) AS earnings
       FROM marketplace.subscriptions s JOIN marketplace.orders o ON o.order_id = s.order_id
       JOIN marketplace.licenses l ON l.license_id = s.license_id
       JOIN enrollment.enrollments e ON e.license_id = l.license_id
       JOIN marketplace.earnings r ON r.order_id = o.order_id AND r.kind = 'sale'
      ORDER BY s.subscription_id`,
  );
  for (const row of rows.rows)
    if (Number(row.enrollments) !== 1 || Number(row.earnings) !== 1)
      throw new Error(`order ${row.order} has ${row.enrollments} enrollments and ${row.earnings} earnings; the clone expects one of each`);
  return rows.rows.map((row) => ({ ids: KINDS.map((kind) => String(row[kind])), buyer: String(row.buyer) }));
}

/** A new id shaped like the template's (prefix, its time part, fresh random bits): ids stay roughly time-ordered. */
const cloneId = (id: string) => {
  const cut = id.indexOf("_") + 1;
  return id.slice(0, cut + 12) + randomBytes(10).toString("hex");
};

/**
 * Clones the real subscriptions up to `total`: clone i copies template i mod n, every row of it in
 * every table above, with each of the template's ids (also inside other columns: a provider
 * reference, the purchase saga's state) replaced by the clone's and the buyer by a new one. Same
 * tenant, plan, anchor and deadline as its template.
 */
async function cloneTo(sql: Sql, total: number): Promise<number> {
  const tpl = await templates(sql);
  const clones = total - tpl.length;
  if (clones <= 0) return 0;
  const from: string[][] = KINDS.map(() => []);
  const to: string[][] = KINDS.map(() => []);
  const buyerFrom: string[] = [];
  const buyerTo: string[] = [];
  for (let i = 0; i < clones; i++) {
    const t = tpl[i % tpl.length]!;
    t.ids.forEach((id, k) => {
      from[k]!.push(id);
      to[k]!.push(cloneId(id));
    });
    buyerFrom.push(t.buyer);
    buyerTo.push(`usr_rn${i}`);
  }
  const g = `unnest(${[...from, ...to, buyerFrom, buyerTo].map((_, i) => `$${i + 1}::text[]`).join(", ")}) AS g(${[
    ...KINDS.map((k) => `f_${k}`),
    ...KINDS.map((k) => `t_${k}`),
    "bf",
    "bt",
  ].join(", ")})`;
  const params = [...from, ...to, buyerFrom, buyerTo];
  const replaced = (expr: string) => KINDS.reduce((acc, k) => `replace(${acc}, g.f_${k}, g.t_${k})`, expr);
  for (const { table, key, kind } of CLONED) {
    const [schema, name] = table.split(".");
    const columns = await sql(
      `SELECT column_name AS c, data_type AS t FROM information_schema.columns
        WHERE table_schema = $1 AND table_name = $2 AND is_generated = 'NEVER' AND coalesce(column_default, '') NOT LIKE 'nextval%'
        ORDER BY ordinal_position`,
      [schema, name],
    );
    const exprs = columns.rows.map(({ c, t }: { c: string; t: string }) => {
      const col = `x."${c}"`;
      if (t === "jsonb") return replaced(`${col}::text`) + "::jsonb";
      if (t === "text" || t === "character" || t === "character varying")
        return `CASE WHEN ${col} = g.bf THEN g.bt ELSE ${replaced(col)} END`;
      return col;
    });
    // The templates' rows first (a few hundred), then joined to the clones by hash: a join of the
    // clone list straight to the table may loop over an unindexed key once per clone.
    await sql(
      `WITH x AS MATERIALIZED (SELECT * FROM ${table} WHERE "${key}" = ANY ($${params.length + 1}::text[]))
       INSERT INTO ${table} (${columns.rows.map(({ c }: { c: string }) => `"${c}"`).join(", ")})
       SELECT ${exprs.join(", ")} FROM ${g} JOIN x ON x."${key}" = g.f_${kind}`,
      [...params, tpl.map((t) => t.ids[KINDS.indexOf(kind)]!)],
    );
  }
  for (const { table } of CLONED) await sql(`ANALYZE ${table}`);
  return clones;
}

/** `real` subscriptions bought over HTTP, then cloned up to `total` in SQL (PostgreSQL mode). */
export async function seedSubscriptions(
  server: BenchServer,
  front: Storefront,
  planId: string,
  options: { real: number; total: number; connections: number },
): Promise<SeededSubscriptions> {
  const sql = server.sql;
  if (!sql) throw new Error("the renewals bench seeds in SQL: PostgreSQL mode only");
  const t0 = Date.now();
  await buyReal(server, front, planId, options.real, options.connections);
  const t1 = Date.now();
  const cloned = await cloneTo(sql, options.total);
  const t2 = Date.now();
  const dues = await sql(
    `SELECT count(*)::int AS n, min(due_at) AS first, max(due_at) AS last FROM platform.saga_deadlines WHERE saga_type = 'marketplace.subscription' AND name = 'renewal'`,
  );
  const subs = await count(sql, `SELECT count(*) AS n FROM marketplace.subscriptions WHERE status = 'active' AND period = 0`);
  if (dues.rows[0].n !== options.total || subs !== options.total)
    throw new Error(`seeded ${subs} active subscriptions with ${dues.rows[0].n} renewal deadlines, expected ${options.total}`);
  return {
    real: options.real,
    cloned,
    firstDue: new Date(dues.rows[0].first),
    lastDue: new Date(dues.rows[0].last),
    seconds: { real: (t1 - t0) / 1000, clone: (t2 - t1) / 1000 },
  };
}
