import type { Sql, Tx, Write } from "../../../platform/db/db.js";
import { DeferredRows } from "../../../platform/db/deferred-rows.js";
import { sqlText } from "../../../platform/db/sql-text.js";
import { currentPeriod, type SubscriptionState } from "./subscription-saga.domain.js";
import type { BillingInterval, SubscriptionStatus } from "./subscription.domain.js";

export interface SubscriptionRow {
  subscriptionId: string;
  tenantId: string;
  orderId: string;
  line: number;
  licenseId: string;
  listingId: string;
  planId: string;
  planVersion: number;
  providerId: string;
  buyerUserId: string;
  interval: BillingInterval;
  price: number;
  charge: number;
  currency: string;
  methodRef: string;
  status: SubscriptionStatus;
  period: number;
  currentPeriodStart: Date;
  currentPeriodEnd: Date;
  cancelAtPeriodEnd: boolean;
  pastDueSince: Date | null;
  endedAt: Date | null;
  endedReason: string | null;
  createdAt: Date;
}

const COLUMNS = `subscription_id AS "subscriptionId", tenant_id AS "tenantId", order_id AS "orderId", line, license_id AS "licenseId",
  listing_id AS "listingId", plan_id AS "planId", plan_version AS "planVersion", provider_id AS "providerId", buyer_user_id AS "buyerUserId",
  billing_interval AS "interval", price::float8 AS price, charge::float8 AS charge, currency, method_ref AS "methodRef", status, period,
  current_period_start AS "currentPeriodStart", current_period_end AS "currentPeriodEnd", cancel_at_period_end AS "cancelAtPeriodEnd",
  past_due_since AS "pastDueSince", ended_at AS "endedAt", ended_reason AS "endedReason", created_at AS "createdAt"`;

/**
 * New subscriptions, written with the transaction's other deferred writes and after the licences
 * they reference (order 50): the purchase that fulfils them may have granted those in this same
 * transaction.
 */
export function insertSubscriptionsAtCommit(tx: Tx, rows: readonly SubscriptionRow[]): void {
  tx.deferred(
    NEW,
    () => new DeferredRows<SubscriptionRow>(55, (all) => [subscriptionsWrite(all)], ["marketplace.subscriptions"]),
  ).rows.push(...rows);
}
const NEW = {};

function subscriptionsWrite(rows: readonly SubscriptionRow[]): Write {
  const json = JSON.stringify(
    rows.map((r) => ({
      subscription_id: r.subscriptionId,
      tenant_id: r.tenantId,
      order_id: r.orderId,
      line: r.line,
      license_id: r.licenseId,
      listing_id: r.listingId,
      plan_id: r.planId,
      plan_version: r.planVersion,
      provider_id: r.providerId,
      buyer_user_id: r.buyerUserId,
      billing_interval: r.interval,
      price: r.price,
      charge: r.charge,
      currency: r.currency,
      method_ref: r.methodRef,
      status: r.status,
      period: r.period,
      current_period_start: r.currentPeriodStart,
      current_period_end: r.currentPeriodEnd,
      created_at: r.createdAt,
    })),
  );
  return {
    ctes: [
      sqlText`INSERT INTO marketplace.subscriptions (subscription_id, tenant_id, order_id, line, license_id, listing_id, plan_id, plan_version, provider_id,
           buyer_user_id, billing_interval, price, charge, currency, method_ref, status, period, current_period_start, current_period_end, created_at, updated_at)
       SELECT s.subscription_id, s.tenant_id, s.order_id, s.line, s.license_id, s.listing_id, s.plan_id, s.plan_version, s.provider_id, s.buyer_user_id,
              s.billing_interval, s.price, s.charge, s.currency, s.method_ref, s.status, s.period, s.current_period_start, s.current_period_end,
              s.created_at, s.created_at
         FROM jsonb_to_recordset(${json}::jsonb) AS s(subscription_id text, tenant_id text, order_id text, line int, license_id text, listing_id text,
              plan_id text, plan_version int, provider_id text, buyer_user_id text, billing_interval text, price bigint, charge bigint, currency text,
              method_ref text, status text, period int, current_period_start timestamptz, current_period_end timestamptz, created_at timestamptz)`,
    ],
  };
}

/** Mirrors the sagas' states onto their subscriptions: one write for a transaction's, joined to the saga's own at commit. */
export function subscriptionStatesWrite(changes: ReadonlyArray<{ subscriptionId: string; state: SubscriptionState }>, at: Date): Write {
  const rows = JSON.stringify(
    changes.map(({ subscriptionId, state }) => {
      const { start, end } = currentPeriod(state);
      const ended = state.status === "canceled" || state.status === "expired";
      return {
        id: subscriptionId,
        status: state.status,
        period: state.period,
        start,
        end,
        cancel: state.cancelAtPeriodEnd,
        past_due_since: state.pastDueSince,
        ended_reason: state.endedReason,
        ended: ended,
      };
    }),
  );
  return {
    ctes: [
      sqlText`UPDATE marketplace.subscriptions s SET status = c.status, period = c.period, current_period_start = c.start, current_period_end = c.end,
           cancel_at_period_end = c.cancel, past_due_since = c.past_due_since, ended_reason = c.ended_reason,
           ended_at = CASE WHEN c.ended THEN COALESCE(s.ended_at, ${at}::timestamptz) END, updated_at = ${at}::timestamptz
         FROM jsonb_to_recordset(${rows}::jsonb) AS c(id text, status text, period int, start timestamptz, "end" timestamptz, cancel boolean,
              past_due_since timestamptz, ended_reason text, ended boolean)
        WHERE s.subscription_id = c.id`,
    ],
  };
}

/** A new payment method on file: billing keeps it under this reference. */
export async function setMethodRef(sql: Sql, subscriptionId: string, methodRef: string, at: Date): Promise<void> {
  await sql.query(`UPDATE marketplace.subscriptions SET method_ref = $2, updated_at = $3 WHERE subscription_id = $1`, [
    subscriptionId,
    methodRef,
    at,
  ]);
}

export async function findSubscription(sql: Sql, subscriptionId: string): Promise<SubscriptionRow | null> {
  const result = await sql.query<SubscriptionRow>(`SELECT ${COLUMNS} FROM marketplace.subscriptions WHERE subscription_id = $1`, [
    subscriptionId,
  ]);
  return result.rows[0] ?? null;
}

/** Several at once, for a batch of saga inputs. */
export async function findSubscriptions(sql: Sql, subscriptionIds: readonly string[]): Promise<SubscriptionRow[]> {
  if (subscriptionIds.length === 0) return [];
  const result = await sql.query<SubscriptionRow>(
    `SELECT ${COLUMNS} FROM marketplace.subscriptions WHERE subscription_id = ANY ($1::text[])`,
    [[...subscriptionIds]],
  );
  return result.rows;
}

/** The subscriptions of licences (a licence view) or of an order (the order view). */
export async function subscriptionIdsOf(
  sql: Sql,
  by: { licenseIds: readonly string[] } | { orderId: string },
): Promise<Map<string, string>> {
  const result =
    "orderId" in by
      ? await sql.query<{ key: string; id: string }>(
          `SELECT line::text AS key, subscription_id AS id FROM marketplace.subscriptions WHERE order_id = $1`,
          [by.orderId],
        )
      : await sql.query<{ key: string; id: string }>(
          `SELECT license_id AS key, subscription_id AS id FROM marketplace.subscriptions WHERE license_id = ANY ($1::text[])`,
          [[...by.licenseIds]],
        );
  return new Map(result.rows.map((r) => [r.key, r.id]));
}

export interface SubscriptionFilter {
  /** Whose: one buyer's, one tenant's (org admin), or every one (platform admin). */
  owner: { buyerUserId: string; tenantId: string } | { tenantId: string } | null;
  status?: SubscriptionStatus;
  after?: string;
  limit: number;
}

export async function listSubscriptions(sql: Sql, filter: SubscriptionFilter): Promise<SubscriptionRow[]> {
  const owner = filter.owner;
  const result = await sql.query<SubscriptionRow>(
    `SELECT ${COLUMNS} FROM marketplace.subscriptions
      WHERE ($1::text IS NULL OR buyer_user_id = $1) AND ($2::text IS NULL OR tenant_id = $2) AND ($3::text IS NULL OR status = $3)
        AND ($4::text IS NULL OR subscription_id > $4)
      ORDER BY subscription_id LIMIT $5`,
    [
      owner && "buyerUserId" in owner ? owner.buyerUserId : null,
      owner ? owner.tenantId : null,
      filter.status ?? null,
      filter.after ?? null,
      filter.limit,
    ],
  );
  return result.rows;
}

export interface ChargeRow {
  period: number;
  attempt: number;
  paymentId: string | null;
  status: "pending" | "succeeded" | "failed";
  failureCode: string | null;
  at: Date;
}

export async function chargesOf(sql: Sql, subscriptionId: string): Promise<ChargeRow[]> {
  const result = await sql.query<ChargeRow>(
    `SELECT period, attempt, payment_id AS "paymentId", status, failure_code AS "failureCode", at
       FROM marketplace.subscription_charges WHERE subscription_id = $1 ORDER BY period, attempt`,
    [subscriptionId],
  );
  return result.rows;
}

type PendingCharge = ChargeRow & { subscriptionId: string; tenantId: string };

/**
 * A transaction's charge records by (subscription, period, attempt): the latest word wins, so a
 * charge asked and answered in one transaction is one row at commit (two upserts of one key in one
 * statement would collide).
 */
class ChargeRecords {
  readonly order = 56;
  readonly tables = ["marketplace.subscription_charges"];
  rows = new Map<string, PendingCharge>();
  drain(): Write[] {
    const rows = [...this.rows.values()];
    this.rows = new Map();
    return rows.length > 0 ? [chargesWrite(rows)] : [];
  }
  mark(): Map<string, PendingCharge> {
    return new Map(this.rows);
  }
  rollback(mark: unknown): void {
    this.rows = new Map((mark as Map<string, PendingCharge> | undefined) ?? []);
  }
}
const CHARGES = {};

export function recordChargeAtCommit(tx: Tx, charge: PendingCharge): void {
  tx.deferred(CHARGES, () => new ChargeRecords()).rows.set(`${charge.subscriptionId}/${charge.period}/${charge.attempt}`, charge);
}

function chargesWrite(rows: readonly PendingCharge[]): Write {
  const json = JSON.stringify(
    rows.map((r) => ({
      subscription_id: r.subscriptionId,
      period: r.period,
      attempt: r.attempt,
      tenant_id: r.tenantId,
      payment_id: r.paymentId,
      status: r.status,
      failure_code: r.failureCode,
      at: r.at,
    })),
  );
  return {
    ctes: [
      sqlText`INSERT INTO marketplace.subscription_charges (subscription_id, period, attempt, tenant_id, payment_id, status, failure_code, at)
       SELECT c.subscription_id, c.period, c.attempt, c.tenant_id, c.payment_id, c.status, c.failure_code, c.at
         FROM jsonb_to_recordset(${json}::jsonb) AS c(subscription_id text, period int, attempt int, tenant_id text, payment_id text, status text,
              failure_code text, at timestamptz)
       ON CONFLICT (subscription_id, period, attempt) DO UPDATE
         SET payment_id = COALESCE(EXCLUDED.payment_id, marketplace.subscription_charges.payment_id), status = EXCLUDED.status,
             failure_code = EXCLUDED.failure_code, at = EXCLUDED.at`,
    ],
  };
}
