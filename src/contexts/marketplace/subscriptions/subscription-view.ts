import { Type } from "@sinclair/typebox";
import { Nullable } from "../../../platform/http/schemas.js";
import { currentPeriod, type SubscriptionState } from "./subscription-saga.domain.js";
import type { ChargeRow, SubscriptionRow } from "./subscriptions.sql.js";

const Instant = Type.String({ format: "date-time" });
/** Spelled out (not mapped from SUBSCRIPTION_STATUSES) so the route's type keeps the literals. */
export const SubscriptionStatusSchema = Type.Union([
  Type.Literal("active"),
  Type.Literal("past_due"),
  Type.Literal("suspended"),
  Type.Literal("canceled"),
  Type.Literal("expired"),
]);

const Renewal = Type.Object(
  {
    period: Type.Integer({ description: "0: the order's own payment; renewals from 1" }),
    attempt: Type.Integer({ description: "1, then dunning's retries" }),
    paymentId: Nullable(Type.String()),
    status: Type.Union([Type.Literal("pending"), Type.Literal("succeeded"), Type.Literal("failed")]),
    failureCode: Type.Optional(Type.String()),
    at: Instant,
  },
  { additionalProperties: false },
);

export const SubscriptionView = Type.Object(
  {
    subscriptionId: Type.String(),
    orderId: Type.String(),
    licenseId: Type.String(),
    listingId: Type.String(),
    planId: Type.String(),
    planVersion: Type.Integer({ description: "the plan version the subscriber holds and renews at" }),
    buyerUserId: Type.String(),
    tenantId: Type.String(),
    status: SubscriptionStatusSchema,
    interval: Type.Union([Type.Literal("month"), Type.Literal("year")]),
    amount: Type.Integer({ description: "what each renewal charges, tax included (minor units)" }),
    currency: Type.String(),
    currentPeriodStart: Instant,
    currentPeriodEnd: Instant,
    cancelAtPeriodEnd: Type.Boolean(),
    pastDueSince: Type.Optional(Instant),
    endedAt: Type.Optional(Instant),
    endedReason: Type.Optional(Type.String()),
    seats: Type.Optional(Type.Integer({ description: "a seat pack's seats, renewed at this count" })),
    pendingChange: Type.Optional(
      Type.Object(
        {
          planVersion: Type.Integer(),
          seats: Nullable(Type.Integer()),
          amount: Type.Integer({ description: "the next renewals' charge" }),
        },
        { additionalProperties: false, description: "a change-plan, applied when the next renewal is paid" },
      ),
    ),
    renewals: Type.Optional(Type.Array(Renewal, { description: "every charge, by period and attempt (left out of lists)" })),
  },
  { additionalProperties: false },
);

const iso = (at: Date | string) => new Date(at).toISOString();

/**
 * The subscription as the API shows it. `state`: the saga's state when this transaction moved it
 * (the row is written at commit) and the time it did, so the answer to a cancel or a new payment
 * method is already the new one.
 */
export function subscriptionView(
  row: SubscriptionRow,
  charges: readonly ChargeRow[] | null,
  moved: { state: SubscriptionState | null; now: Date } | null = null,
) {
  const state = moved?.state ?? null;
  const period = state ? currentPeriod(state) : { start: row.currentPeriodStart, end: row.currentPeriodEnd };
  const status = state?.status ?? row.status;
  const pastDueSince = state ? state.pastDueSince : row.pastDueSince;
  const ended = status === "canceled" || status === "expired";
  const endedAt = row.endedAt ?? (ended ? (moved?.now ?? null) : null);
  const endedReason = state ? state.endedReason : row.endedReason;
  return {
    subscriptionId: row.subscriptionId,
    orderId: row.orderId,
    licenseId: row.licenseId,
    listingId: row.listingId,
    planId: row.planId,
    planVersion: row.planVersion,
    buyerUserId: row.buyerUserId,
    tenantId: row.tenantId,
    status,
    interval: row.interval,
    amount: Number(row.charge),
    currency: row.currency,
    ...(row.seats !== null ? { seats: row.seats } : {}),
    ...(row.next ? { pendingChange: { planVersion: row.next.planVersion, seats: row.next.seats, amount: Number(row.next.charge) } } : {}),
    currentPeriodStart: iso(period.start),
    currentPeriodEnd: iso(period.end),
    cancelAtPeriodEnd: state?.cancelAtPeriodEnd ?? row.cancelAtPeriodEnd,
    ...(pastDueSince ? { pastDueSince: iso(pastDueSince) } : {}),
    ...(ended && endedAt ? { endedAt: iso(endedAt) } : {}),
    ...(ended && endedReason ? { endedReason } : {}),
    ...(charges
      ? {
          renewals: charges.map((c) => ({
            period: c.period,
            attempt: c.attempt,
            paymentId: c.paymentId,
            status: c.status,
            ...(c.failureCode ? { failureCode: c.failureCode } : {}),
            at: iso(c.at),
          })),
        }
      : {}),
  };
}
