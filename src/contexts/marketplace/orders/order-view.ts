import type { Sql } from "../../../platform/db/db.js";
import { sagaHistory } from "../../../platform/saga/saga-runtime.js";
import { licensesOfOrder } from "../licenses/licenses.sql.js";
import { subscriptionIdsOf } from "../subscriptions/subscriptions.sql.js";
import { findOrder, orderLines } from "./orders.sql.js";

/** GET /api/v1/orders/{id} (API.md): the order, its lines, what it produced, and the saga's step history. */
export async function orderView(sql: Sql, orderId: string) {
  const order = await findOrder(sql, orderId);
  if (!order) return null;
  // One connection inside a transaction: the reads run one after another.
  const lines = await orderLines(sql, orderId);
  const licenses = await licensesOfOrder(sql, orderId);
  const saga = await sagaHistory(sql, orderId);
  const subscriptions = await subscriptionIdsOf(sql, { orderId });
  const enrollments = await sql.query<{ state: { enrollmentIds: string[] } }>(`SELECT state FROM platform.saga_instances WHERE id = $1`, [
    orderId,
  ]);
  return {
    orderId,
    tenantId: order.tenantId,
    buyerUserId: order.buyerUserId,
    status: order.status,
    items: lines.map((l) => ({
      listingId: l.listingId,
      planId: l.planId,
      planVersion: l.planVersion,
      kind: l.kind,
      courseId: l.courseId,
      quantity: l.quantity,
      unitAmount: l.unitAmount,
      amount: l.amount,
      ...(subscriptions.has(String(l.line)) ? { subscriptionId: subscriptions.get(String(l.line))! } : {}),
    })),
    totals: {
      subtotal: order.subtotal,
      discount: order.discount,
      tax: order.tax,
      taxInclusive: order.taxInclusive,
      total: order.total,
      currency: order.currency,
    },
    couponCode: order.couponCode,
    paymentMethod: order.paymentMethod,
    paymentId: order.paymentId,
    licenseIds: licenses.map((l) => l.licenseId),
    enrollmentIds: enrollments.rows[0]?.state.enrollmentIds ?? [],
    failure: order.failure ?? null,
    refundPolicyId: order.refundPolicyId,
    refundDeadline: order.refundDeadline ? new Date(order.refundDeadline).toISOString() : null,
    placedAt: new Date(order.placedAt).toISOString(),
    saga: saga ?? { state: order.status, steps: [] },
  };
}
