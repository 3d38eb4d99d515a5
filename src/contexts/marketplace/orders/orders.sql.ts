import type { Sql, Tx, Write } from "../../../platform/db/db.js";
import { sqlText } from "../../../platform/db/sql-text.js";
import type { PricedLine, Totals } from "./order.domain.js";
import type { OrderStatus } from "./purchase-saga.domain.js";

export interface OrderRow {
  orderId: string;
  tenantId: string;
  buyerUserId: string;
  status: OrderStatus;
  currency: string;
  subtotal: number;
  discount: number;
  tax: number;
  taxInclusive: boolean;
  total: number;
  couponId: string | null;
  couponCode: string | null;
  /** How the buyer pays (card or wallet); the card itself is billing's alone (seed 001 §4: marketplace is out of PCI scope). */
  paymentMethod: "card" | "wallet";
  paymentId: string | null;
  refundPolicyId: string | null;
  refundPeriodDays: number | null;
  refundDeadline: Date | null;
  failure: unknown;
  placedAt: Date;
}

export interface NewOrder {
  orderId: string;
  tenantId: string;
  buyerUserId: string;
  totals: Totals;
  couponId: string | null;
  couponCode: string | null;
  payment: { method: "card"; token: string } | { method: "wallet" };
  billingCountry: string | null;
  refundPolicy: { policyId: string; refundPeriodDays: number } | null;
  refundDeadline: Date | null;
  at: Date;
}

/**
 * What the purchase saga reads of an order: everything fixed at placement (lines, totals, buyer,
 * payment method), without the fields that change (status, payment id, failure).
 */
export type PlacedOrder = Omit<OrderRow, "status" | "paymentId" | "failure">;

/**
 * Writes the order and its lines; returns them as `findOrdersWithLines` would read them back. Sent,
 * not awaited: nothing needs its answer, so it travels with the next statement (a failure fails the transaction).
 */
export function insertOrder(
  tx: Tx,
  order: NewOrder,
  lines: readonly (PricedLine & { interval: "month" | "year" | null; validityDays: number | null; perpetualOffline: boolean })[],
): { order: PlacedOrder; lines: OrderLineRow[] } {
  const t = order.totals;
  // The order and its lines in one statement (the lines' foreign key is checked at its end).
  tx.send(
    `WITH placed AS (
       INSERT INTO marketplace.orders (order_id, tenant_id, buyer_user_id, status, currency, subtotal, discount, tax, tax_inclusive, total,
         coupon_id, coupon_code, payment_method, billing_country, refund_policy_id, refund_period_days, refund_deadline, placed_at, updated_at)
       VALUES ($1, $2, $3, 'placed', $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $17))
     INSERT INTO marketplace.order_items (order_id, tenant_id, line, listing_id, plan_id, plan_version, kind, course_id, course_version_id, provider_id,
       quantity, unit_amount, amount, billing_interval, validity_days, perpetual_offline)
     SELECT $1, $2, l.line, l.listing_id, l.plan_id, l.plan_version, l.kind, l.course_id, l.course_version_id, l.provider_id,
            l.quantity, l.unit_amount, l.amount, l.billing_interval, l.validity_days, l.perpetual_offline
       FROM jsonb_to_recordset($18::jsonb) AS l(line int, listing_id text, plan_id text, plan_version int, kind text, course_id text, course_version_id text,
            provider_id text, quantity int, unit_amount bigint, amount bigint, billing_interval text, validity_days int, perpetual_offline boolean)`,
    [
      order.orderId,
      order.tenantId,
      order.buyerUserId,
      t.currency,
      t.subtotal,
      t.discount,
      t.tax,
      t.taxInclusive,
      t.total,
      order.couponId,
      order.couponCode,
      order.payment.method,
      order.billingCountry,
      order.refundPolicy?.policyId ?? null,
      order.refundPolicy?.refundPeriodDays ?? null,
      order.refundDeadline,
      order.at,
      JSON.stringify(
        lines.map((l, line) => ({
          line,
          listing_id: l.listingId,
          plan_id: l.planId,
          plan_version: l.planVersion,
          kind: l.kind,
          course_id: l.courseId,
          course_version_id: l.courseVersionId,
          provider_id: l.providerId,
          quantity: l.quantity,
          unit_amount: l.unitAmount,
          amount: l.amount,
          billing_interval: l.interval,
          validity_days: l.validityDays,
          perpetual_offline: l.perpetualOffline,
        })),
      ),
    ],
  );
  return {
    order: {
      orderId: order.orderId,
      tenantId: order.tenantId,
      buyerUserId: order.buyerUserId,
      currency: t.currency,
      subtotal: t.subtotal,
      discount: t.discount,
      tax: t.tax,
      taxInclusive: t.taxInclusive,
      total: t.total,
      couponId: order.couponId,
      couponCode: order.couponCode,
      paymentMethod: order.payment.method,
      refundPolicyId: order.refundPolicy?.policyId ?? null,
      refundPeriodDays: order.refundPolicy?.refundPeriodDays ?? null,
      refundDeadline: order.refundDeadline,
      placedAt: order.at,
    },
    lines: lines.map((l, line) => ({
      line,
      listingId: l.listingId,
      planId: l.planId,
      planVersion: l.planVersion,
      kind: l.kind,
      courseId: l.courseId,
      courseVersionId: l.courseVersionId,
      providerId: l.providerId,
      quantity: l.quantity,
      unitAmount: l.unitAmount,
      amount: l.amount,
      interval: l.interval,
      validityDays: l.validityDays,
      perpetualOffline: l.perpetualOffline,
    })),
  };
}

const ORDER_COLUMNS = `order_id AS "orderId", tenant_id AS "tenantId", buyer_user_id AS "buyerUserId", status, currency, subtotal, discount, tax,
  tax_inclusive AS "taxInclusive", total, coupon_id AS "couponId", coupon_code AS "couponCode", payment_method AS "paymentMethod",
  payment_id AS "paymentId", refund_policy_id AS "refundPolicyId", refund_period_days AS "refundPeriodDays",
  refund_deadline AS "refundDeadline", failure, placed_at AS "placedAt"`;

export async function findOrder(sql: Sql, orderId: string, lock = false): Promise<OrderRow | null> {
  const result = await sql.query<OrderRow>(
    `SELECT ${ORDER_COLUMNS} FROM marketplace.orders WHERE order_id = $1${lock ? " FOR UPDATE" : ""}`,
    [orderId],
  );
  return result.rows[0] ?? null;
}

export interface OrderLineRow {
  line: number;
  listingId: string;
  planId: string;
  planVersion: number;
  kind: PricedLine["kind"];
  courseId: string;
  courseVersionId: string;
  providerId: string;
  quantity: number;
  unitAmount: number;
  amount: number;
  interval: "month" | "year" | null;
  validityDays: number | null;
  perpetualOffline: boolean;
}

const LINE_COLUMNS = `line, listing_id AS "listingId", plan_id AS "planId", plan_version AS "planVersion", kind, course_id AS "courseId",
            course_version_id AS "courseVersionId", provider_id AS "providerId", quantity, unit_amount AS "unitAmount", amount,
            billing_interval AS "interval", validity_days AS "validityDays", perpetual_offline AS "perpetualOffline"`;

export async function orderLines(sql: Sql, orderId: string): Promise<OrderLineRow[]> {
  const result = await sql.query<OrderLineRow>(`SELECT ${LINE_COLUMNS} FROM marketplace.order_items WHERE order_id = $1 ORDER BY line`, [
    orderId,
  ]);
  return result.rows;
}

/**
 * Orders with their lines, in one read: a row per line, the order's columns repeated (cheaper for
 * the server than building JSON per order). Every order has at least one line.
 */
export async function findOrdersWithLines(
  sql: Sql,
  orderIds: readonly string[],
): Promise<Array<{ order: PlacedOrder; lines: OrderLineRow[] }>> {
  const result = await sql.query<OrderRow & OrderLineRow>(
    // USING merges the columns the two tables share: order_id, and the tenant_id a line copies from
    // its order (row-level security); no alias is shared either. The
    // second `= ANY` gives the lines an index condition of their own: a generic plan (statements
    // are prepared) would otherwise hash-join them from a scan of every order line.
    `SELECT ${ORDER_COLUMNS}, ${LINE_COLUMNS}
       FROM marketplace.orders JOIN marketplace.order_items i USING (order_id, tenant_id)
      WHERE order_id = ANY ($1::text[]) AND i.order_id = ANY ($1::text[]) ORDER BY order_id, line`,
    [orderIds],
  );
  const byOrder = new Map<string, { order: PlacedOrder; lines: OrderLineRow[] }>();
  for (const row of result.rows) {
    const {
      line,
      listingId,
      planId,
      planVersion,
      kind,
      courseId,
      courseVersionId,
      providerId,
      quantity,
      unitAmount,
      amount,
      interval,
      validityDays,
      perpetualOffline,
      status: _status,
      paymentId: _paymentId,
      failure: _failure,
      ...order
    } = row;
    let entry = byOrder.get(order.orderId);
    if (!entry) byOrder.set(order.orderId, (entry = { order, lines: [] }));
    entry.lines.push({
      line,
      listingId,
      planId,
      planVersion,
      kind,
      courseId,
      courseVersionId,
      providerId,
      quantity,
      unitAmount,
      amount,
      interval,
      validityDays,
      perpetualOffline,
    });
  }
  return [...byOrder.values()];
}

/** Where the buyer is taxed: read only when a subscription prices its renewals. */
export async function billingCountryOf(sql: Sql, orderId: string): Promise<string | null> {
  const result = await sql.query<{ country: string | null }>(
    `SELECT billing_country AS country FROM marketplace.orders WHERE order_id = $1`,
    [orderId],
  );
  return result.rows[0]?.country ?? null;
}

export interface OrderStateChange {
  orderId: string;
  status: OrderStatus;
  paymentId: string | null;
  failure: unknown;
  at: Date;
}

/** Mirrors purchase-saga statuses onto their orders: one write for all of a transaction's, joined to the saga's own at commit. */
export function orderStatesWrite(changes: readonly OrderStateChange[]): Write {
  const ids = changes.map((c) => c.orderId);
  return {
    // The refund saga owns refund_pending/refunded: a late purchase-saga input (a seat's enrollment.created) must not undo them.
    ctes: [
      sqlText`UPDATE marketplace.orders o SET status = c.status, payment_id = COALESCE(c.payment_id, o.payment_id), failure = COALESCE(c.failure, o.failure), updated_at = c.at
         FROM unnest(${ids}::text[], ${changes.map((c) => c.status)}::text[], ${changes.map((c) => c.paymentId)}::text[],
           ${changes.map((c) => (c.failure == null ? null : JSON.stringify(c.failure)))}::jsonb[], ${changes.map((c) => c.at)}::timestamptz[])
           AS c(order_id, status, payment_id, failure, at)
        WHERE o.order_id = c.order_id AND o.order_id = ANY (${ids}::text[]) AND o.status NOT IN ('refund_pending', 'refunded')`,
    ],
  };
}

/** What a tenant committed to in the cap window: every order that did not fail. */
export async function spentSince(sql: Sql, tenantId: string, currency: string, since: Date): Promise<number> {
  const result = await sql.query<{ spent: number }>(
    `SELECT COALESCE(sum(total), 0)::bigint AS spent FROM marketplace.orders
      WHERE tenant_id = $1 AND currency = $2 AND placed_at >= $3 AND status NOT IN ('failed', 'refunded')`,
    [tenantId, currency, since],
  );
  return Number(result.rows[0]!.spent);
}

export interface OrderableListing {
  listingId: string;
  status: string;
  providerId: string;
  courseId: string;
  courseVersionId: string;
  refundPolicyId: string | null;
  refundPeriodDays: number | null;
}

export interface OrderablePlan {
  planId: string;
  listingId: string;
  kind: PricedLine["kind"];
  version: number;
  amount: number;
  currency: string;
  seats: number | null;
  interval: "month" | "year" | null;
  validityDays: number | null;
  perpetualOffline: boolean;
}

const LISTING_FACTS = `SELECT l.listing_id AS "listingId", l.status, l.provider_id AS "providerId", l.course_id AS "courseId", l.course_version_id AS "courseVersionId",
            l.refund_policy_id AS "refundPolicyId",
            (SELECT p.refund_period_days FROM marketplace.refund_policies p WHERE p.policy_id = l.refund_policy_id) AS "refundPeriodDays"
       FROM marketplace.listings l
      WHERE l.listing_id = ANY($1::text[])`;

const PLAN_FACTS = `SELECT p.plan_id AS "planId", p.listing_id AS "listingId", p.kind, v.version, v.amount, v.currency, v.seats, v.billing_interval AS "interval",
            v.validity_days AS "validityDays", v.perpetual_offline AS "perpetualOffline"
       FROM marketplace.plans p JOIN marketplace.plan_versions v ON v.plan_id = p.plan_id AND v.version = p.current_version
      WHERE p.plan_id = ANY($2::text[]) AND v.plan_id = ANY($2::text[])`;

/**
 * Both reads are written so that every plan, generic ones included, probes indexes (a scalar
 * subquery for the policy, `= ANY` on both sides of the plan join).
 *
 * The listings an order names (with the refund policy in force, snapshotted onto the order) and
 * each plan at its current version (the version the order references for good), in one read.
 */
export async function orderFacts(
  sql: Sql,
  listingIds: readonly string[],
  planIds: readonly string[],
): Promise<{ listings: Map<string, OrderableListing>; plans: Map<string, OrderablePlan> }> {
  const result = await sql.query<{ listing: OrderableListing | null; plan: OrderablePlan | null }>(
    `SELECT to_jsonb(l) AS listing, NULL::jsonb AS plan FROM (${LISTING_FACTS}) l
     UNION ALL
     SELECT NULL::jsonb, to_jsonb(p) FROM (${PLAN_FACTS}) p`,
    [listingIds, planIds],
  );
  const listings = new Map<string, OrderableListing>();
  const plans = new Map<string, OrderablePlan>();
  for (const row of result.rows) {
    if (row.listing) listings.set(row.listing.listingId, row.listing);
    if (row.plan) plans.set(row.plan.planId, { ...row.plan, currency: row.plan.currency.trim() });
  }
  return { listings, plans };
}
