import type { Tx } from "../../../platform/db/db.js";
import type { EventMetadata } from "../../../platform/events/envelope.js";
import { newId } from "../../../platform/ids.js";
import type { Kernel } from "../../../platform/kernel.js";
import { unwrap } from "../../../platform/result.js";
import { refuse } from "../errors.js";
import type { LicenseKind } from "../licenses/license.domain.js";
import { findOrder, orderLines } from "../orders/orders.sql.js";
import type { MarketplacePorts } from "../ports.js";
import { decideRefund, type RefundableLine } from "./refund.domain.js";
import type { RefundRuntime } from "./refund-flow.js";
import { initialRefund } from "./refund-saga.domain.js";
import {
  activeRefundOfOrder,
  findRefund,
  insertRefund,
  lockLicensesOfOrder,
  saleEntriesOfOrder,
  setOrderStatus,
  takeSeats,
  type RefundRow,
} from "./refunds.sql.js";

export interface RequestRefund {
  orderId: string;
  requestedBy: string;
  tenantId: string;
  /** The caller may refund any order (platform_admin); otherwise only the buyer's own. */
  asAdmin: boolean;
  reason: string;
  seats?: number;
  /** The request asking (requestId, actorId, traceparent): every event of the refund carries it. */
  metadata?: EventMetadata;
}

export interface RefundView {
  refundId: string;
  orderId: string;
  status: "refund_pending" | "refunded" | "failed";
  refund: { amount: number; currency: string; seats?: number };
  partial: boolean;
}

export function refundView(row: RefundRow): RefundView {
  return {
    refundId: row.refundId,
    orderId: row.orderId,
    status: row.status,
    refund: { amount: row.amount, currency: row.currency, ...(row.seatsRefunded !== null ? { seats: row.seatsRefunded } : {}) },
    partial: row.partial,
  };
}

/**
 * Decides and starts a refund in one transaction, under the order's row lock and the licenses'
 * row locks: the policy is checked on rows nobody else can change until commit, the refunded seats
 * leave the license at once, and the saga's first steps (billing refund and everything after it)
 * run in the same transaction when billing answers. A second request for the order finds the first.
 */
export async function requestRefund(
  kernel: Kernel,
  ports: MarketplacePorts,
  runtime: RefundRuntime,
  tx: Tx,
  input: RequestRefund,
): Promise<RefundView> {
  const order = await findOrder(tx, input.orderId, true);
  if (!order || (!input.asAdmin && (order.buyerUserId !== input.requestedBy || order.tenantId !== input.tenantId)))
    throw refuse({ code: "ORDER.NOT_FOUND", detail: `no order ${input.orderId}` });
  const earlier = await activeRefundOfOrder(tx, order.orderId);
  if (earlier) return refundView(earlier);

  const now = kernel.clock.now();
  const items = await orderLines(tx, order.orderId);
  const licenses = new Map((await lockLicensesOfOrder(tx, order.orderId)).map((l) => [l.line, l]));
  const sales = await saleEntriesOfOrder(tx, order.orderId);
  const lines: RefundableLine[] = [];
  for (const item of items) {
    const license = licenses.get(item.line);
    const sale = sales.get(item.line) ?? { gross: 0, platformFee: 0, providerAmount: 0 };
    lines.push({
      line: item.line,
      kind: item.kind as LicenseKind,
      quantity: item.quantity,
      sale: { gross: sale.gross, platformFee: sale.platformFee, providerAmount: sale.providerAmount },
      license: license
        ? {
            licenseId: license.licenseId,
            state: license.state,
            seatTotal: license.seatTotal,
            seatsAssigned: license.seatsAssigned,
            consumed:
              license.kind === "seat_pack" || order.status !== "fulfilled"
                ? false
                : await ports.enrollments.isConsumed(tx, license.licenseId),
          }
        : null,
    });
  }
  const plan = unwrap(
    decideRefund({
      order: {
        status: order.status,
        total: order.total,
        tax: order.tax,
        taxInclusive: order.taxInclusive,
        currency: order.currency,
        refundDeadline: order.refundDeadline ? new Date(order.refundDeadline) : null,
      },
      lines,
      now,
      ...(input.seats !== undefined ? { seats: input.seats } : {}),
    }),
  );

  const refundId = newId("rfn");
  await insertRefund(
    tx,
    {
      refundId,
      orderId: order.orderId,
      tenantId: order.tenantId,
      requestedBy: input.requestedBy,
      reason: input.reason,
      partial: plan.partial,
      amount: plan.amount,
      currency: plan.currency,
      seatsRefunded: plan.seatsRefunded,
    },
    plan.lines,
    now,
  );
  // The seats leave the license under its lock: a racing seat assignment now finds none of them.
  for (const line of plan.lines) {
    if (line.seatsRefunded !== null && line.licenseId) await takeSeats(tx, line.licenseId, line.seatsRefunded, now);
  }
  await setOrderStatus(tx, order.orderId, "refund_pending", now);
  const state = await runtime.begin(
    tx,
    refundId,
    initialRefund(refundId, order.orderId),
    { type: "RefundRequested" },
    order.orderId,
    input.metadata,
  );
  // Billing refused at once (nothing to refund against): the whole request rolls back and says so.
  if (state.status === "failed")
    throw refuse({ code: "REFUND.PAYMENT_NOT_REFUNDABLE", detail: `billing refused the refund: ${state.failure}` });
  return refundView((await findRefund(tx, refundId))!);
}
