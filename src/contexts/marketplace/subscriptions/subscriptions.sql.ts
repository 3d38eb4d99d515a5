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
  kind: "subscription" | "seat_pack" | "site_license";
  providerId: string;
  buyerUserId: string;
  interval: BillingInterval;
  price: number;
  charge: number;
  currency: string;
  tax: { country: string | null; inclusive: boolean };
  seats: number | null;
  revocationCapPercent: number | null;
  /** A change-plan waiting for the next paid renewal. */
  next: { planVersion: number; seats: number | null; price: number; charge: number } | null;
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
  listing_id AS "listingId", plan_id AS "planId", plan_version AS "planVersion", kind, provider_id AS "providerId", buyer_user_id AS "buyerUserId",
  billing_interval AS "interval", price, charge, currency, jsonb_build_object('country', tax_country, 'inclusive', tax_inclusive) AS tax,
  seats, revocation_cap_percent AS "revocationCapPercent",
  CASE WHEN next_plan_version IS NULL THEN NULL
       ELSE jsonb_build_object('planVersion', next_plan_version, 'seats', next_seats, 'price', next_price, 'charge', next_charge) END AS next,
  method_ref AS "methodRef", status, period,
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
      kind: r.kind,
      provider_id: r.providerId,
      buyer_user_id: r.buyerUserId,
      billing_interval: r.interval,
      price: r.price,
      charge: r.charge,
      currency: r.currency,
      tax_country: r.tax.country,
      tax_inclusive: r.tax.inclusive,
      seats: r.seats,
      revocation_cap_percent: r.revocationCapPercent,
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
      sqlText`INSERT INTO marketplace.subscriptions (subscription_id, tenant_id, order_id, line, license_id, listing_id, plan_id, plan_version, kind, provider_id,
           buyer_user_id, billing_interval, price, charge, currency, tax_country, tax_inclusive, seats, revocation_cap_percent, method_ref, status, period, current_period_start,
           current_period_end, created_at, updated_at)
       SELECT s.subscription_id, s.tenant_id, s.order_id, s.line, s.license_id, s.listing_id, s.plan_id, s.plan_version, s.kind, s.provider_id, s.buyer_user_id,
              s.billing_interval, s.price, s.charge, s.currency, s.tax_country, s.tax_inclusive, s.seats, s.revocation_cap_percent, s.method_ref, s.status, s.period, s.current_period_start, s.current_period_end,
              s.created_at, s.created_at
         FROM jsonb_to_recordset(${json}::jsonb) AS s(subscription_id text, tenant_id text, order_id text, line int, license_id text, listing_id text,
              plan_id text, plan_version int, kind text, provider_id text, buyer_user_id text, billing_interval text, price bigint, charge bigint, currency text,
              tax_country text, tax_inclusive boolean, seats int, revocation_cap_percent int, method_ref text, status text, period int, current_period_start timestamptz, current_period_end timestamptz, created_at timestamptz)`,
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
        -- = ANY pins the rows by primary key: a generic plan would otherwise hash-join the whole table.
        WHERE s.subscription_id = c.id AND s.subscription_id = ANY (${changes.map((c) => c.subscriptionId)}::text[])`,
    ],
  };
}

/** A change-plan: held until the next paid renewal applies it. */
export async function setNextTerms(sql: Sql, subscriptionId: string, next: NonNullable<SubscriptionRow["next"]>, at: Date): Promise<void> {
  await sql.query(
    `UPDATE marketplace.subscriptions SET next_plan_version = $2, next_seats = $3, next_price = $4, next_charge = $5, updated_at = $6
      WHERE subscription_id = $1`,
    [subscriptionId, next.planVersion, next.seats, next.price, next.charge, at],
  );
}

/**
 * A paid renewal applies the waiting change: the subscription renews at the new terms from now on,
 * and a seat pack's licence holds the new seat count (never below the seats assigned).
 */
export async function applyNextTerms(sql: Sql, subscriptionId: string, at: Date): Promise<void> {
  await sql.query(
    `WITH applied AS (
       UPDATE marketplace.subscriptions SET plan_version = next_plan_version, seats = COALESCE(next_seats, seats), price = next_price, charge = next_charge,
              next_plan_version = NULL, next_seats = NULL, next_price = NULL, next_charge = NULL, updated_at = $2
        WHERE subscription_id = $1 AND next_plan_version IS NOT NULL
        RETURNING license_id, seats)
     UPDATE marketplace.licenses l SET seat_total = GREATEST(a.seats, l.seats_assigned), updated_at = $2
       FROM applied a WHERE l.license_id = a.license_id AND l.kind = 'seat_pack'`,
    [subscriptionId, at],
  );
}

/** A new payment method on file: billing keeps it under this reference. */
export async function setMethodRef(sql: Sql, subscriptionId: string, methodRef: string, at: Date): Promise<void> {
  await sql.query(`UPDATE marketplace.subscriptions SET method_ref = $2, updated_at = $3 WHERE subscription_id = $1`, [
    subscriptionId,
    methodRef,
    at,
  ]);
}

/** bigint money arrives as text from `pg`: integers below 2^53 (the schemas' cap), so Number is exact. */
const toRow = (row: SubscriptionRow): SubscriptionRow => ({ ...row, price: Number(row.price), charge: Number(row.charge) });

export async function findSubscription(sql: Sql, subscriptionId: string): Promise<SubscriptionRow | null> {
  const result = await sql.query<SubscriptionRow>(`SELECT ${COLUMNS} FROM marketplace.subscriptions WHERE subscription_id = $1`, [
    subscriptionId,
  ]);
  return result.rows[0] ? toRow(result.rows[0]) : null;
}

/** Several at once, for a batch of saga inputs. */
export async function findSubscriptions(sql: Sql, subscriptionIds: readonly string[]): Promise<SubscriptionRow[]> {
  if (subscriptionIds.length === 0) return [];
  const result = await sql.query<SubscriptionRow>(
    `SELECT ${COLUMNS} FROM marketplace.subscriptions WHERE subscription_id = ANY ($1::text[])`,
    [[...subscriptionIds]],
  );
  return result.rows.map(toRow);
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

/** What the seat rules need of a seat pack's subscription (null: the pack does not renew). */
export interface SeatTerms {
  status: SubscriptionStatus;
  currentPeriodStart: Date;
  currentPeriodEnd: Date;
  revocationCapPercent: number | null;
  /** A change-plan's seat count waiting for the next renewal: assignments stay within it meanwhile. */
  nextSeats: number | null;
}

export async function seatTermsOfLicense(sql: Sql, licenseId: string): Promise<SeatTerms | null> {
  const result = await sql.query<SeatTerms>(
    `SELECT status, current_period_start AS "currentPeriodStart", current_period_end AS "currentPeriodEnd", revocation_cap_percent AS "revocationCapPercent",
            next_seats AS "nextSeats"
       FROM marketplace.subscriptions WHERE license_id = $1`,
    [licenseId],
  );
  return result.rows[0] ?? null;
}

/** Seats released this period, for the revocation cap. */
export async function releasedSince(sql: Sql, licenseId: string, since: Date): Promise<number> {
  const result = await sql.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM marketplace.seat_assignments WHERE license_id = $1 AND status = 'released' AND released_at >= $2`,
    [licenseId, since],
  );
  return result.rows[0]!.n;
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
  return result.rows.map(toRow);
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
