import { LicenseRevoked, OrderRefunded } from "../../../contracts/marketplace-orders.js";
import type { Tx } from "../../../platform/db/db.js";
import type { EventContext, EventMetadata } from "../../../platform/events/envelope.js";
import { envelope, type EventDefinition, type PayloadOf } from "../../../platform/events/registry.js";
import { newId } from "../../../platform/ids.js";
import type { Kernel } from "../../../platform/kernel.js";
import { RejectionError } from "../../../platform/result.js";
import { SagaRuntime } from "../../../platform/saga/saga-runtime.js";
import { findOrder, orderLines } from "../orders/orders.sql.js";
import type { MarketplacePorts } from "../ports.js";
import { insertEarnings } from "../revenue/earnings.sql.js";
import {
  refundSaga,
  type RefundCommand,
  type RefundEffect,
  type RefundInput,
  type RefundSagaState,
  type RefundTimeouts,
} from "./refund-saga.domain.js";
import {
  findRefund,
  refundLines,
  returnSeats,
  revokeLicenses,
  saleEntriesOfOrder,
  setOrderStatus,
  settleRefundRow,
} from "./refunds.sql.js";

export type RefundRuntime = SagaRuntime<RefundSagaState, RefundInput, RefundCommand>;

/**
 * Every event of a refund carries correlationId = orderId, like the purchase it undoes, the event that
 * caused it, and the refund request's metadata (a refund from before requests were kept: its id).
 */
const flowContext = (orderId: string, refundId: string, cause: string | null, metadata: EventMetadata): EventContext => ({
  correlationId: orderId,
  causationId: cause,
  metadata: { requestId: refundId, ...metadata },
});

/**
 * The I/O behind the refund saga. Each command runs in the transaction that recorded its step, so
 * money back, license revoked, enrollments revoked, earnings reversed and order refunded commit
 * together or not at all. Only billing's call sits in a savepoint: when it throws, its work is rolled
 * back alone and the saga schedules another attempt (billing's refund is idempotent on the refund id).
 */
export function refundRuntime(kernel: Kernel, ports: MarketplacePorts, timeouts: RefundTimeouts): RefundRuntime {
  const emit = <D extends EventDefinition<string, any>>(
    tx: Tx,
    definition: D,
    payload: PayloadOf<D>,
    tenantId: string,
    context: EventContext,
  ) =>
    kernel.outbox.append(tx, [envelope(definition, payload, { eventId: newId("evt"), occurredAt: kernel.clock.now(), tenantId }, context)]);

  async function execute(
    tx: Tx,
    refundId: string,
    command: RefundEffect,
    state: RefundSagaState,
    cause: string | null,
    metadata: EventMetadata,
  ): Promise<RefundInput[] | void> {
    const refund = (await findRefund(tx, refundId))!;
    const order = (await findOrder(tx, refund.orderId))!;
    const context = flowContext(order.orderId, refundId, cause, metadata);
    const now = kernel.clock.now();
    switch (command.type) {
      case "RequestMoney": {
        if (!order.paymentId) return [{ type: "MoneyRefused", failureCode: "NO_PAYMENT" }];
        if (refund.amount === 0) return [{ type: "MoneyReturned", billingRefundId: "none" }];
        try {
          const outcome = await tx.savepoint(() =>
            ports.payments.refund(tx, {
              orderId: order.orderId,
              paymentId: order.paymentId!,
              amount: refund.amount,
              reason: refund.reason,
              correlationId: order.orderId,
              key: `refund:${refundId}`,
              metadata: context.metadata!,
            }),
          );
          await settleRefundRow(tx, refundId, { billingRefundId: outcome.refundId }, now);
          if (outcome.status === "succeeded") return [{ type: "MoneyReturned", billingRefundId: outcome.refundId }];
          if (outcome.status === "failed") return [{ type: "MoneyRefused", failureCode: "BILLING_REFUND_FAILED" }];
          return [{ type: "MoneyPending", billingRefundId: outcome.refundId }];
        } catch (error) {
          // A refusal is an answer (the payment cannot be refunded); anything else is a fault to retry.
          if (error instanceof RejectionError) return [{ type: "MoneyRefused", failureCode: error.rejection.code }];
          kernel.logger.warn({ refundId, orderId: order.orderId, err: error }, "billing refund failed; will retry");
          return [{ type: "BillingErrored", error: error instanceof Error ? error.message : String(error) }];
        }
      }
      case "RevokeLicenses": {
        const lines = await refundLines(tx, refundId);
        const revoked = await revokeLicenses(
          tx,
          lines.filter((l) => l.revokesLicense && l.licenseId).map((l) => l.licenseId!),
          "refunded",
          now,
        );
        for (const licenseId of revoked)
          await emit(tx, LicenseRevoked, { licenseId, orderId: order.orderId, reason: "refunded" }, order.tenantId, context);
        return;
      }
      case "RevokeEnrollments": {
        // Bulk, per license: enrollment.revoked.v1 {orderId, revokedCount} (seed 000 §2.0). Seats refunded
        // from a pack that stays active were unassigned: no enrollment to take back.
        const lines = await refundLines(tx, refundId);
        for (const line of lines.filter((l) => l.revokesLicense && l.licenseId)) {
          await ports.enrollments.revokeLicense(
            tx,
            { licenseId: line.licenseId!, orderId: order.orderId, reason: "refunded", aggregate: true },
            context,
          );
        }
        return;
      }
      case "ReverseEarnings": {
        const lines = await refundLines(tx, refundId);
        const sales = await saleEntriesOfOrder(tx, order.orderId);
        const items = new Map((await orderLines(tx, order.orderId)).map((l) => [l.line, l]));
        await insertEarnings(
          tx,
          lines.flatMap((line) => {
            const sale = sales.get(line.line);
            if (!sale || line.reversal.gross === 0) return [];
            return [
              {
                entryId: newId("ern"),
                providerId: sale.providerId,
                listingId: items.get(line.line)?.listingId ?? "",
                orderId: order.orderId,
                line: line.line,
                kind: "reversal" as const,
                currency: order.currency,
                amount: line.reversal.gross,
                ...line.reversal,
                // Nets against its sale in the same payout; a sale already paid out is clawed back from the next one.
                maturesAt: sale.paid || !sale.maturesAt ? now : sale.maturesAt,
              },
            ];
          }),
          now,
        );
        return;
      }
      case "CompleteRefund": {
        await settleRefundRow(tx, refundId, { status: "refunded", billingRefundId: state.billingRefundId }, now);
        const lines = await orderLines(tx, order.orderId);
        await setOrderStatus(tx, order.orderId, refund.partial ? "fulfilled" : "refunded", now);
        await emit(
          tx,
          OrderRefunded,
          {
            orderId: order.orderId,
            buyerUserId: order.buyerUserId,
            courseIds: [...new Set(lines.map((l) => l.courseId))],
            refundReason: refund.reason,
            amount: refund.amount,
            currency: order.currency,
            ...(refund.seatsRefunded !== null ? { seatsRefunded: refund.seatsRefunded } : {}),
          },
          order.tenantId,
          context,
        );
        return;
      }
      case "ReleaseHold": {
        // Billing refused: the seats taken off at request time go back, the order is fulfilled again.
        for (const line of await refundLines(tx, refundId)) {
          if (line.seatsRefunded !== null && line.licenseId) await returnSeats(tx, line.licenseId, line.seatsRefunded, now);
        }
        await settleRefundRow(tx, refundId, { status: "failed", failure: command.reason }, now);
        await setOrderStatus(tx, order.orderId, "fulfilled", now);
        return;
      }
      default: {
        const unreachable: never = command;
        return unreachable;
      }
    }
  }

  return new SagaRuntime(refundSaga(timeouts), kernel.clock, execute, () => ({ type: "MoneyDeadlinePassed" }));
}
