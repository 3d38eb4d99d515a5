import type { Tx } from "../../../platform/db/db.js";
import type { EventMetadata } from "../../../platform/events/envelope.js";
import { newIdIn } from "../../../platform/ids.js";
import type { LicenseRow } from "../licenses/licenses.sql.js";
import type { PaymentsPort } from "../ports.js";
import type { SubscriptionRuntime } from "./subscription-flow.js";
import { rememberSubscription } from "./subscription-memo.js";
import { currentPeriod, initialSubscription } from "./subscription-saga.domain.js";
import { periodCharge, type BillingInterval } from "./subscription.domain.js";
import { insertSubscriptionsAtCommit, recordChargeAtCommit, type SubscriptionRow } from "./subscriptions.sql.js";

/** What a fulfilled order tells its subscriptions: who pays, how, and what the first period cost. */
export interface FulfilledOrder {
  orderId: string;
  tenantId: string;
  buyerUserId: string;
  currency: string;
  paymentId: string | null;
  taxInclusive: boolean;
  billingCountry: string | null;
}

export interface RecurringLine {
  line: number;
  listingId: string;
  planId: string;
  planVersion: number;
  kind: "subscription" | "seat_pack" | "site_license";
  providerId: string;
  amount: number;
  interval: BillingInterval;
  /** A seat pack's seats; null for a subscription or a site licence. */
  seats: number | null;
  revocationCapPercent: number | null;
}

/**
 * One subscription per recurring line of a fulfilled order, started in the fulfilling transaction:
 * its licence (granted by the purchase) runs for the first period, the order's payment is that
 * period's charge, and the order's payment method stays on file with billing (`methodRef` is the
 * order id it was kept under). The first renewal is a deadline row from here on.
 */
export async function startSubscriptions(
  runtime: SubscriptionRuntime,
  payments: PaymentsPort,
  tx: Tx,
  order: FulfilledOrder,
  lines: readonly RecurringLine[],
  licenses: readonly LicenseRow[],
  now: Date,
  /** The purchase's metadata: the subscription starts in the buyer's trace (its renewals start their own). */
  origin: EventMetadata = {},
): Promise<void> {
  const rows: SubscriptionRow[] = [];
  for (const line of lines) {
    const license = licenses.find((l) => l.line === line.line);
    if (!license) throw new Error(`order ${order.orderId} line ${line.line} was fulfilled without its licence`);
    const anchor = new Date(license.validFrom);
    const initial = initialSubscription(line.interval, anchor);
    const { start, end } = currentPeriod(initial);
    const tax = order.billingCountry
      ? payments.tax({ country: order.billingCountry, amount: line.amount, currency: order.currency, inclusive: order.taxInclusive })
      : { amount: 0, inclusive: order.taxInclusive };
    const { price, charge } = periodCharge(line.amount, tax);
    const row: SubscriptionRow = {
      subscriptionId: newIdIn(tx, "sub"),
      tenantId: order.tenantId,
      orderId: order.orderId,
      line: line.line,
      licenseId: license.licenseId,
      listingId: line.listingId,
      planId: line.planId,
      planVersion: line.planVersion,
      kind: line.kind,
      providerId: line.providerId,
      buyerUserId: order.buyerUserId,
      interval: line.interval,
      price,
      charge,
      currency: order.currency,
      tax: { country: order.billingCountry, inclusive: order.taxInclusive },
      seats: line.seats,
      revocationCapPercent: line.revocationCapPercent,
      next: null,
      methodRef: order.orderId,
      status: "active",
      period: 0,
      currentPeriodStart: start,
      currentPeriodEnd: end,
      cancelAtPeriodEnd: false,
      pastDueSince: null,
      endedAt: null,
      endedReason: null,
      createdAt: now,
    };
    rows.push(row);
    rememberSubscription(tx, row);
    recordChargeAtCommit(tx, {
      subscriptionId: row.subscriptionId,
      tenantId: order.tenantId,
      period: 0,
      attempt: 1,
      paymentId: order.paymentId,
      status: "succeeded",
      failureCode: null,
      at: anchor,
    });
  }
  insertSubscriptionsAtCommit(tx, rows);
  for (const row of rows)
    await runtime.begin(
      tx,
      row.subscriptionId,
      initialSubscription(row.interval, row.currentPeriodStart),
      { type: "Started", at: now },
      row.subscriptionId,
      origin,
    );
}
