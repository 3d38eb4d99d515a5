import type { Tx } from "../../../platform/db/db.js";
import { newIdIn } from "../../../platform/ids.js";
import type { EventMetadata } from "../../../platform/events/envelope.js";
import type { Kernel } from "../../../platform/kernel.js";
import { unwrap } from "../../../platform/result.js";
import { refuse } from "../errors.js";
import { checkCoupon } from "../coupons/coupon.domain.js";
import { couponByCode, reserveRedemption } from "../coupons/coupons.sql.js";
import { enrollsBuyer } from "../licenses/license.domain.js";
import type { BuyerPolicy, MarketplacePorts } from "../ports.js";
import { checkBuyerPolicy, priceLines, refundDeadline, totalsOf, type Totals } from "./order.domain.js";
import { insertOrder, orderFacts, spentSince, type OrderableListing, type OrderablePlan } from "./orders.sql.js";
import type { ListingCourses } from "./listing-courses.js";
import { rememberOrder } from "./order-memo.js";
import { initialPurchase, type OrderStatus } from "./purchase-saga.domain.js";
import type { PurchaseRuntime } from "./purchase-flow.js";

export interface PlaceOrder {
  tenantId: string;
  buyerUserId: string;
  items: Array<{ listingId: string; planId: string; planVersion?: number; quantity?: number }>;
  couponCode?: string;
  billingCountry?: string;
  payment: { method: "card"; token: string } | { method: "wallet" };
  /** The buyer's request (requestId, actorId, traceparent): every event of the purchase carries it. */
  metadata?: EventMetadata;
}

export interface PlacedOrder {
  orderId: string;
  status: OrderStatus;
  totals: Totals;
  refundDeadline: string | null;
}

/** What an order is decided on, read before anything is decided. */
export interface OrderReads {
  now: Date;
  listings: Map<string, OrderableListing>;
  plans: Map<string, OrderablePlan>;
  policy: BuyerPolicy | null;
  /** The first line's course start, when its listing's course was already known. */
  course?: { courseId: string; startsAt: Date | null };
}

/** Sent together, without waiting for one another (and, on POST, behind the Idempotency-Key's claim). */
export async function readOrderFacts(
  kernel: Kernel,
  ports: MarketplacePorts,
  tx: Tx,
  input: PlaceOrder,
  known: ListingCourses,
): Promise<OrderReads> {
  const now = kernel.clock.now();
  const courseId = input.items[0] ? known.courseOf(input.items[0].listingId) : undefined;
  const [{ listings, plans }, policy, startsAt] = await Promise.all([
    orderFacts(
      tx,
      input.items.map((i) => i.listingId),
      input.items.map((i) => i.planId),
    ),
    ports.buyerPolicies.policyOf(tx, input.tenantId, now),
    courseId ? ports.catalog.courseStart(tx, courseId) : null,
  ]);
  known.remember(listings.values());
  return { now, listings, plans, policy, ...(courseId ? { course: { courseId, startsAt } } : {}) };
}

/**
 * Validates everything first (listing live, plan of listing, coupon, buyer policy), then writes the
 * order, reserves the coupon and starts the saga in one transaction: a refusal writes nothing.
 */
export async function placeOrder(
  kernel: Kernel,
  ports: MarketplacePorts,
  runtime: PurchaseRuntime,
  tx: Tx,
  input: PlaceOrder,
  taxInclusive: boolean,
  reads: OrderReads,
): Promise<PlacedOrder> {
  const { now, listings, plans, policy } = reads;
  for (const [i, item] of input.items.entries()) {
    const plan = plans.get(item.planId);
    if (plan && item.planVersion !== undefined && item.planVersion !== plan.version) {
      throw refuse({
        code: "ORDER.PLAN_VERSION_STALE",
        detail: `plan ${item.planId} is now at version ${plan.version}`,
        field: `body/items/${i}/planVersion`,
      });
    }
  }
  const lines = unwrap(
    priceLines(
      input.items.map((item) => ({
        listingId: item.listingId,
        planId: item.planId,
        quantity: item.quantity,
        listing: listings.get(item.listingId) ?? null,
        plan: plans.get(item.planId) ?? null,
      })),
    ),
  );
  const subtotal = lines.reduce((sum, line) => sum + line.amount, 0);
  const currency = lines[0]!.currency;

  const coupon = input.couponCode ? await couponByCode(tx, input.couponCode) : null;
  if (input.couponCode && !coupon)
    throw refuse({ code: "COUPON.NOT_FOUND", detail: `no coupon ${input.couponCode}`, field: "body/couponCode" });
  const discount = coupon
    ? unwrap(checkCoupon(coupon, { now, tenantId: input.tenantId, listingIds: lines.map((l) => l.listingId), subtotal, currency })).discount
    : 0;

  const tax = input.billingCountry
    ? ports.payments.tax({ country: input.billingCountry, amount: subtotal - discount, currency, inclusive: taxInclusive })
    : { amount: 0, inclusive: taxInclusive };
  const totals = totalsOf(lines, discount, tax);

  if (policy?.cap) {
    // Orders of one tenant are decided one at a time while a cap applies: the spend read below stays true until commit.
    await tx.query(`SELECT pg_advisory_xact_lock(hashtext('marketplace.purchase-cap:' || $1))`, [input.tenantId]);
  }
  const spent = policy?.cap ? await spentSince(tx, input.tenantId, totals.currency, policy.cap.windowStart) : 0;
  unwrap(checkBuyerPolicy(policy, totals, spent));

  const orderId = newIdIn(tx, "ord");
  const first = listings.get(lines[0]!.listingId)!;
  const courseStart =
    reads.course?.courseId === first.courseId ? reads.course.startsAt : await ports.catalog.courseStart(tx, first.courseId);
  const deadline = refundDeadline(now, courseStart, first.refundPeriodDays);
  const placed = insertOrder(
    tx,
    {
      orderId,
      tenantId: input.tenantId,
      buyerUserId: input.buyerUserId,
      totals,
      couponId: coupon?.couponId ?? null,
      couponCode: coupon?.code ?? null,
      payment: input.payment,
      billingCountry: input.billingCountry ?? null,
      refundPolicy:
        first.refundPolicyId && first.refundPeriodDays !== null
          ? { policyId: first.refundPolicyId, refundPeriodDays: first.refundPeriodDays }
          : null,
      refundDeadline: deadline,
      at: now,
    },
    lines.map((line) => {
      const plan = plans.get(line.planId)!;
      return { ...line, interval: plan.interval, validityDays: plan.validityDays, perpetualOffline: plan.perpetualOffline };
    }),
  );
  rememberOrder(tx, placed.order, placed.lines, input.payment.method === "card" ? input.payment.token : null);
  if (coupon) {
    const reserved = await reserveRedemption(tx, coupon, orderId, { tenantId: input.tenantId, userId: input.buyerUserId }, now);
    if (reserved === "exhausted")
      throw refuse({
        code: "COUPON.EXHAUSTED",
        detail: `coupon ${coupon.code} has no redemptions left`,
        field: "body/couponCode",
      });
    if (reserved === "user_limit")
      throw refuse({
        code: "COUPON.USER_LIMIT_REACHED",
        detail: `you have used coupon ${coupon.code} as often as allowed`,
        field: "body/couponCode",
      });
  }
  const enrollments = lines.filter((line) => enrollsBuyer(line.kind)).length;
  const state = await runtime.begin(
    tx,
    orderId,
    initialPurchase(orderId, enrollments, coupon !== null),
    { type: "OrderPlaced" },
    orderId,
    input.metadata,
  );
  return { orderId, status: state.status, totals, refundDeadline: deadline?.toISOString() ?? null };
}
