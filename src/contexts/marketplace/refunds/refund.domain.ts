import { allocate } from "../../../platform/money.js";
import { ok, type Result } from "../../../platform/result.js";
import { reject } from "../errors.js";
import type { LicenseKind } from "../licenses/license.domain.js";
import type { RevenueSplit } from "../revenue/revenue-share.domain.js";

/**
 * Refund policy (seed 001 §10.4): marketplace decides whether and how much, billing moves the money.
 * A refund is allowed before the order's snapshotted refund deadline, for a fulfilled order, and only
 * for what was not consumed: unassigned seats of a seat pack, a one-time (or subscription, site)
 * license whose enrollments are not completed.
 */
export interface RefundableLine {
  line: number;
  kind: LicenseKind;
  quantity: number;
  /** The order line's sale entry in the earnings ledger (what was paid for it before tax). */
  sale: RevenueSplit;
  license: { licenseId: string; state: string; seatTotal: number | null; seatsAssigned: number; consumed: boolean } | null;
}

export interface RefundFacts {
  order: { status: string; total: number; tax: number; taxInclusive: boolean; currency: string; refundDeadline: Date | null };
  lines: readonly RefundableLine[];
  now: Date;
  /** A partial refund of a seat pack: how many seats. Default: every unassigned seat. */
  seats?: number;
}

export interface RefundLinePlan {
  line: number;
  licenseId: string | null;
  kind: LicenseKind;
  /** Seats given back (seat packs only). */
  seatsRefunded: number | null;
  /** What the buyer gets back for this line, tax included. */
  amount: number;
  /** The line is refunded whole: its license is revoked. Otherwise it keeps the seats that are left. */
  revokesLicense: boolean;
  /** The negative earnings entry (pre-tax), with fee and provider parts reversed pro rata. */
  reversal: RevenueSplit;
}

export interface RefundPlan {
  amount: number;
  currency: string;
  /** Something stays with the buyer (a seat pack keeps its assigned seats): the order returns to fulfilled. */
  partial: boolean;
  seatsRefunded: number | null;
  lines: RefundLinePlan[];
}

/** The share of `amount` that `part` of `whole` units stand for, rounded by allocation (parts sum exactly). */
export function proRata(amount: number, part: number, whole: number): number {
  if (part === whole) return amount;
  if (part === 0) return 0;
  return allocate(amount, [part, whole - part])[0]!;
}

/**
 * Reverses a slice of a sale: gross pro rata to the refunded units, then split between the platform
 * fee and the provider in the sale's own proportion, so gross = fee + provider exactly and a whole
 * refund reverses the sale to the minor unit. Amounts come back negative.
 */
export function reversalOf(sale: RevenueSplit, part: number, whole: number): RevenueSplit {
  const gross = proRata(sale.gross, part, whole);
  if (gross === 0) return { gross: 0, platformFee: 0, providerAmount: 0 };
  const weights = [Math.abs(sale.platformFee), Math.abs(sale.providerAmount)];
  const [fee, provider] = weights[0]! + weights[1]! === 0 ? [0, gross] : allocate(gross, weights);
  return { gross: -gross, platformFee: -fee! || 0, providerAmount: -provider! || 0 };
}

export function decideRefund(facts: RefundFacts): Result<RefundPlan> {
  const { order, now } = facts;
  if (order.status !== "fulfilled") return reject("REFUND.NOT_REFUNDABLE", `an order that is ${order.status} cannot be refunded`);
  if (order.refundDeadline === null) return reject("REFUND.NOT_REFUNDABLE", "this order was bought without a refund policy");
  if (now.getTime() >= order.refundDeadline.getTime())
    return reject("REFUND.WINDOW_CLOSED", `the refund window closed at ${order.refundDeadline.toISOString()}`);

  const seatPacks = facts.lines.filter((l) => l.kind === "seat_pack");
  if (facts.seats !== undefined && seatPacks.length !== 1)
    return reject("REFUND.SEATS_INVALID", "seats can be given only for an order with one seat pack", "body/seats");

  // Exclusive tax went on top of the lines: it goes back with them, spread over the lines like the sale.
  const grosses = facts.lines.map((l) => Math.max(0, l.sale.gross));
  const taxes = !order.taxInclusive && order.tax > 0 && grosses.some((g) => g > 0) ? allocate(order.tax, grosses) : grosses.map(() => 0);

  const lines: RefundLinePlan[] = [];
  for (const [i, line] of facts.lines.entries()) {
    const license = line.license;
    if (!license || license.state !== "active") return reject("REFUND.NOT_REFUNDABLE", `line ${line.line} has no active license`);
    let units = line.quantity;
    let seatsRefunded: number | null = null;
    if (line.kind === "seat_pack") {
      const unassigned = (license.seatTotal ?? 0) - license.seatsAssigned;
      const wanted = facts.seats ?? unassigned;
      if (unassigned <= 0 || wanted > unassigned) {
        return reject(
          "REFUND.SEATS_CONSUMED",
          `${license.seatsAssigned} of ${license.seatTotal} seats are assigned; ${Math.max(unassigned, 0)} can be refunded`,
          facts.seats !== undefined ? "body/seats" : undefined,
        );
      }
      // seat_total may already be below the quantity bought only if seats were given back before; one refund per order keeps it equal.
      units = wanted;
      seatsRefunded = wanted;
    } else if (license.consumed) {
      return reject("REFUND.SEATS_CONSUMED", `the course of line ${line.line} has been completed`);
    }
    const reversal = reversalOf(line.sale, units, line.quantity);
    const amount = -reversal.gross + proRata(taxes[i]!, units, line.quantity);
    const revokesLicense = line.kind !== "seat_pack" || units === (license.seatTotal ?? 0);
    lines.push({ line: line.line, licenseId: license.licenseId, kind: line.kind, seatsRefunded, amount, revokesLicense, reversal });
  }
  const seatLines = lines.filter((l) => l.seatsRefunded !== null);
  return ok({
    amount: lines.reduce((sum, l) => sum + l.amount, 0),
    currency: order.currency,
    partial: lines.some((l) => !l.revokesLicense),
    seatsRefunded: seatLines.length > 0 ? seatLines.reduce((sum, l) => sum + l.seatsRefunded!, 0) : null,
    lines,
  });
}

/**
 * Money returned outside marketplace's refund saga (seed 001 §5.3: billing.payment.refunded.v1, e.g.
 * a refund made in Stripe's dashboard). Marketplace's own refunds are the saga's business; a refund
 * of an order that is not fulfilled changes nothing here (a failed order was compensated, a pending
 * marketplace refund settles the order itself). The whole payment back: the order is refunded and
 * its licenses revoked. Part of it: access stays, billing's books hold the refund. While a
 * marketplace refund of the order is in flight, the outside one waits ("later": handled again once
 * that saga has settled the order), or the saga's end would put a wholly refunded order back to
 * fulfilled with its access.
 */
export type OutsideRefundEffect = "none" | "later" | "partial" | "full";

export function decideOutsideRefund(facts: {
  ours: boolean;
  orderStatus: string;
  payment: { amount: number; refundedAmount: number } | null;
}): OutsideRefundEffect {
  if (facts.ours || !facts.payment) return "none";
  if (facts.orderStatus === "refund_pending") return "later";
  if (facts.orderStatus !== "fulfilled") return "none";
  return facts.payment.refundedAmount >= facts.payment.amount ? "full" : "partial";
}
