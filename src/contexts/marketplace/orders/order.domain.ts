import { ok, type Result } from "../../../platform/result.js";
import { reject } from "../errors.js";
import type { PlanKind } from "../plans/plan.domain.js";
import type { BuyerPolicy } from "../ports.js";

/** A line as priced from the exact plan version the buyer chose. */
export interface PricedLine {
  listingId: string;
  planId: string;
  planVersion: number;
  kind: PlanKind;
  courseId: string;
  courseVersionId: string;
  providerId: string;
  quantity: number;
  unitAmount: number;
  amount: number;
  currency: string;
}

export interface Totals {
  subtotal: number;
  discount: number;
  tax: number;
  taxInclusive: boolean;
  total: number;
  currency: string;
}

export interface LineFacts {
  listingId: string;
  planId: string;
  quantity: number | undefined;
  listing: { status: string; providerId: string; courseId: string; courseVersionId: string } | null;
  plan: { listingId: string; kind: PlanKind; version: number; amount: number; currency: string; seats: number | null } | null;
}

/** Prices each line or says which one is wrong; nothing is written before all lines pass. */
export function priceLines(facts: readonly LineFacts[]): Result<PricedLine[]> {
  const lines: PricedLine[] = [];
  for (const [i, fact] of facts.entries()) {
    const at = `body/items/${i}`;
    if (!fact.listing) return reject("LISTING.NOT_FOUND", `listing ${fact.listingId} does not exist`, `${at}/listingId`);
    if (fact.listing.status !== "live") return reject("LISTING.NOT_LIVE", `listing ${fact.listingId} is not live`, `${at}/listingId`);
    if (!fact.plan || fact.plan.listingId !== fact.listingId)
      return reject("ORDER.PLAN_NOT_OF_LISTING", `plan ${fact.planId} is not a plan of listing ${fact.listingId}`, `${at}/planId`);
    const quantity = fact.quantity ?? (fact.plan.kind === "seat_pack" ? (fact.plan.seats ?? 1) : 1);
    if (fact.plan.kind !== "seat_pack" && quantity !== 1)
      return reject("ORDER.QUANTITY_INVALID", "only seat packs are bought by quantity", `${at}/quantity`);
    if (fact.plan.kind === "seat_pack" && fact.plan.seats !== null && quantity < fact.plan.seats) {
      return reject("ORDER.QUANTITY_INVALID", `this seat pack starts at ${fact.plan.seats} seats`, `${at}/quantity`);
    }
    lines.push({
      listingId: fact.listingId,
      planId: fact.planId,
      planVersion: fact.plan.version,
      kind: fact.plan.kind,
      courseId: fact.listing.courseId,
      courseVersionId: fact.listing.courseVersionId,
      providerId: fact.listing.providerId,
      quantity,
      unitAmount: fact.plan.amount,
      amount: fact.plan.amount * quantity,
      currency: fact.plan.currency,
    });
  }
  const currencies = new Set(lines.map((line) => line.currency));
  if (currencies.size > 1) return reject("ORDER.MIXED_CURRENCIES", "all items of an order must share one currency", "body/items");
  const listings = new Set(lines.map((line) => line.listingId));
  if (listings.size !== lines.length) return reject("ORDER.DUPLICATE_ITEM", "a listing appears twice; use quantity", "body/items");
  return ok(lines);
}

/** Tax is computed by billing on the discounted amount; inclusive tax is already inside the price. */
export function totalsOf(lines: readonly PricedLine[], discount: number, tax: { amount: number; inclusive: boolean }): Totals {
  const subtotal = lines.reduce((sum, line) => sum + line.amount, 0);
  const taxable = subtotal - discount;
  return {
    subtotal,
    discount,
    tax: tax.amount,
    taxInclusive: tax.inclusive,
    total: taxable + (tax.inclusive ? 0 : tax.amount),
    currency: lines[0]!.currency,
  };
}

/**
 * The buying tenant's policy (seed 001 §5.1): allowed currencies and a purchase cap per period.
 * `spentInWindow` must be read under the tenant's cap lock (placeOrder takes it), or two concurrent
 * orders could both pass the cap.
 */
export function checkBuyerPolicy(policy: BuyerPolicy | null, totals: Totals, spentInWindow: number): Result<null> {
  if (!policy) return ok(null);
  if (policy.allowedCurrencies && !policy.allowedCurrencies.includes(totals.currency)) {
    return reject("ORDER.CURRENCY_NOT_ALLOWED", `your organization does not buy in ${totals.currency}`, "body/items");
  }
  const cap = policy.cap;
  if (cap && cap.currency !== totals.currency)
    return reject("ORDER.CURRENCY_NOT_ALLOWED", `your organization's purchase cap is in ${cap.currency}`, "body/items");
  if (cap && spentInWindow + totals.total > cap.amount) {
    return reject(
      "ORDER.PURCHASE_CAP_EXCEEDED",
      `this order would pass your organization's purchase cap of ${cap.amount} ${cap.currency}`,
      "body/items",
    );
  }
  return ok(null);
}

const DAY_MS = 86_400_000;

/** seed 001 §3 / issue 6: refunds are allowed until max(purchase, course start) + refundPeriodDays. */
export function refundDeadline(placedAt: Date, courseStart: Date | null, refundPeriodDays: number | null): Date | null {
  if (refundPeriodDays === null) return null;
  const from = courseStart && courseStart > placedAt ? courseStart : placedAt;
  return new Date(from.getTime() + refundPeriodDays * DAY_MS);
}
