import { LicenseRevoked, OrderRefunded } from "../../../contracts/marketplace-orders.js";
import type { Consumer } from "../../../platform/events/consumers.js";
import { contextFrom, type EventContext } from "../../../platform/events/envelope.js";
import { envelope } from "../../../platform/events/registry.js";
import { newId } from "../../../platform/ids.js";
import type { Kernel } from "../../../platform/kernel.js";
import { findOrder, orderLines } from "../orders/orders.sql.js";
import type { MarketplacePorts } from "../ports.js";
import { insertEarnings } from "../revenue/earnings.sql.js";
import { decideOutsideRefund } from "./refund.domain.js";
import { isMarketplaceRefund, lockLicensesOfOrder, revokeLicenses, saleEntriesOfOrder, setOrderStatus } from "./refunds.sql.js";

/**
 * seed 001 §5.3: billing.payment.refunded.v1 → order refunded, license revoked, remaining seats gone.
 * Only for money that came back outside the refund saga (Stripe's dashboard): the saga's own refunds
 * and the purchase saga's compensations are theirs. Nothing here asks billing for money, so a
 * redelivery (the inbox drops it) or a second event for the same order (no longer fulfilled) can
 * never refund twice. The order's row lock orders this against a refund request for the same order.
 */
export function outsideRefundConsumer(kernel: Kernel, ports: MarketplacePorts): Consumer {
  return {
    name: "marketplace.outside-refunds",
    types: ["billing.payment.refunded.v1"],
    async handle(tx, event) {
      const payload = event.payload as { orderId: string; paymentId: string; refundId: string };
      const order = await findOrder(tx, payload.orderId, true);
      if (!order) return; // a payment of another flow
      const effect = decideOutsideRefund({
        ours: await isMarketplaceRefund(tx, order.orderId, payload.refundId),
        orderStatus: order.status,
        payment: order.paymentId === payload.paymentId ? await ports.payments.refundState(tx, payload.paymentId) : null,
      });
      // Thrown, so the consumer's retry ladder brings it back after the refund saga has settled the order.
      if (effect === "later")
        throw new Error(`order ${order.orderId} has a marketplace refund in flight; the outside refund ${payload.refundId} waits for it`);
      if (effect === "partial")
        kernel.logger.warn(
          { orderId: order.orderId, refundId: payload.refundId },
          "part of an order's payment was refunded outside marketplace; access is kept",
        );
      if (effect !== "full") return;

      const now = kernel.clock.now();
      // The order's flow, caused by billing's event: its request (the provider's webhook) and trace go on.
      const context: EventContext = { ...contextFrom(event), correlationId: order.orderId };
      const emit = (e: Parameters<typeof kernel.outbox.append>[1][number]) => kernel.outbox.append(tx, [e]);
      const meta = () => ({ eventId: newId("evt"), occurredAt: now, tenantId: order.tenantId });
      // Every license of the order goes, seat packs with their unassigned seats; enrollments follow (seed 000 §2.0 aggregate).
      const licenses = (await lockLicensesOfOrder(tx, order.orderId)).filter((l) => l.state === "active");
      for (const licenseId of await revokeLicenses(
        tx,
        licenses.map((l) => l.licenseId),
        "refunded",
        now,
      )) {
        await emit(envelope(LicenseRevoked, { licenseId, orderId: order.orderId, reason: "refunded" }, meta(), context));
        await ports.enrollments.revokeLicense(tx, { licenseId, orderId: order.orderId, reason: "refunded", aggregate: true }, context);
      }
      // The provider's share goes back with the money: a full reversal of each sale (a line already
      // reversed by an earlier partial refund keeps that one: one reversal per line, by index).
      const lines = await orderLines(tx, order.orderId);
      const listingOf = new Map(lines.map((l) => [l.line, l.listingId]));
      const sales = [...(await saleEntriesOfOrder(tx, order.orderId)).values()];
      await insertEarnings(
        tx,
        sales
          .filter((s) => s.gross > 0)
          .map((sale) => ({
            entryId: newId("ern"),
            providerId: sale.providerId,
            listingId: listingOf.get(sale.line) ?? "",
            orderId: order.orderId,
            line: sale.line,
            kind: "reversal" as const,
            currency: order.currency,
            amount: -sale.gross,
            gross: -sale.gross,
            platformFee: -sale.platformFee,
            providerAmount: -sale.providerAmount,
            maturesAt: sale.paid || !sale.maturesAt ? now : sale.maturesAt,
          })),
        now,
      );
      await setOrderStatus(tx, order.orderId, "refunded", now);
      const refunded = await ports.payments.refundState(tx, payload.paymentId);
      await emit(
        envelope(
          OrderRefunded,
          {
            orderId: order.orderId,
            buyerUserId: order.buyerUserId,
            courseIds: [...new Set(lines.map((l) => l.courseId))],
            refundReason: "provider_refund",
            amount: refunded?.refundedAmount ?? order.total,
            currency: order.currency,
          },
          meta(),
          context,
        ),
      );
    },
  };
}
