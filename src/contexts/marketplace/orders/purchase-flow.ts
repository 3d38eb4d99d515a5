import {
  OrderFailed,
  OrderFulfilled,
  OrderPaid,
  OrderPlaced,
  LicenseGrantedV2,
  LicenseRevoked,
} from "../../../contracts/marketplace-orders.js";
import type { Tx } from "../../../platform/db/db.js";
import type { EventContext, EventMetadata } from "../../../platform/events/envelope.js";
import { envelope, type EventDefinition, type PayloadOf } from "../../../platform/events/registry.js";
import { newId, newIdIn } from "../../../platform/ids.js";
import type { Kernel } from "../../../platform/kernel.js";
import { RejectionError } from "../../../platform/result.js";
import { SagaRuntime } from "../../../platform/saga/saga-runtime.js";
import { releaseRedemption } from "../coupons/coupons.sql.js";
import { enrollsBuyer, licenseTermsFor } from "../licenses/license.domain.js";
import { grantLicensesAtCommit, licensesOfOrderIn, revokeLicensesOfOrder } from "../licenses/licenses.sql.js";
import type { MarketplacePorts } from "../ports.js";
import { recordEarningsAtCommit } from "../revenue/earnings.sql.js";
import { revenueByLine } from "../revenue/revenue-share.domain.js";
import { cardPlacedHere, placedLines, placedOrder } from "./order-memo.js";
import { planVersionOf } from "../plans/plans.sql.js";
import { billingCountryOf, orderStatesWrite, type OrderLineRow } from "./orders.sql.js";
import { startSubscriptions } from "../subscriptions/start-subscriptions.js";
import type { SubscriptionRuntime } from "../subscriptions/subscription-flow.js";
import {
  purchaseSaga,
  type PurchaseCommand,
  type PurchaseEffect,
  type PurchaseInput,
  type PurchaseState,
  type SagaTimeouts,
} from "./purchase-saga.domain.js";

/** A line that renews: a subscription plan's, or a seat pack's or site licence's sold with an interval. */
const recurring = (line: OrderLineRow): boolean => line.interval !== null && line.kind !== "one_time";

export type PurchaseRuntime = SagaRuntime<PurchaseState, PurchaseInput, PurchaseCommand>;

/**
 * Every event of the flow carries correlationId = orderId (issue 4 §8), the event that caused it, and
 * the buyer's request's metadata (requestId, actorId, its trace), also for steps run later.
 */
const flowContext = (orderId: string, cause: string | null, metadata: EventMetadata): EventContext => ({
  correlationId: orderId,
  causationId: cause,
  metadata,
});

/**
 * The I/O behind the purchase saga's commands. Each runs in the transaction that recorded the
 * saga step, so a crash between two steps leaves either both or neither.
 */
export function purchaseRuntime(
  kernel: Kernel,
  ports: MarketplacePorts,
  timeouts: SagaTimeouts,
  subscriptions: SubscriptionRuntime,
): PurchaseRuntime {
  const emit = <D extends EventDefinition<string, any>>(
    tx: Tx,
    definition: D,
    payload: PayloadOf<D>,
    order: { orderId: string; tenantId: string },
    context: EventContext,
  ) =>
    kernel.outbox.append(tx, [
      envelope(definition, payload, { eventId: newId("evt"), occurredAt: kernel.clock.now(), tenantId: order.tenantId }, context),
    ]);

  async function execute(
    tx: Tx,
    orderId: string,
    command: PurchaseEffect,
    state: PurchaseState,
    cause: string | null,
    metadata: EventMetadata,
  ): Promise<PurchaseInput[] | void> {
    const order = await placedOrder(tx, orderId);
    const context = flowContext(orderId, cause, metadata);
    const linesOfOrder = () => placedLines(tx, orderId);
    const now = kernel.clock.now();
    switch (command.type) {
      case "PublishPlaced": {
        const lines = await linesOfOrder();
        await emit(
          tx,
          OrderPlaced,
          {
            orderId,
            buyerUserId: order.buyerUserId,
            tenantId: order.tenantId,
            courseIds: [...new Set(lines.map((l) => l.courseId))],
            items: lines.map((l) => ({
              listingId: l.listingId,
              planId: l.planId,
              planVersion: l.planVersion,
              courseId: l.courseId,
              quantity: l.quantity,
            })),
            subtotal: order.subtotal,
            discount: order.discount,
            tax: order.tax,
            total: order.total,
            currency: order.currency,
            ...(order.couponCode ? { couponCode: order.couponCode } : {}),
          },
          order,
          context,
        );
        return;
      }
      case "RequestPayment": {
        // Only OrderPlaced asks for payment, inside the transaction that placed the order: the card is
        // still in memory there and goes to billing, which keeps it; the order row never holds it.
        const card = order.paymentMethod === "card" ? cardPlacedHere(tx, orderId) : null;
        if (order.paymentMethod === "card" && card === null)
          throw new Error(`order ${orderId}: payment requested outside the transaction that placed it; marketplace keeps no card to send`);
        const method = card !== null ? { method: "card" as const, token: card } : { method: "wallet" as const };
        // An order that renews leaves its method on file with billing, under the order's id.
        const renews = (await linesOfOrder()).some(recurring);
        // The outcome comes back as billing.payment.* through the outbox, also for instant successes.
        await ports.payments.pay(tx, {
          orderId,
          buyerUserId: order.buyerUserId,
          tenantId: order.tenantId,
          amount: order.total,
          currency: order.currency,
          method,
          correlationId: orderId,
          metadata,
          ...(renews ? { keepOnFile: orderId } : {}),
        });
        return;
      }
      case "PublishPaid": {
        const lines = await linesOfOrder();
        // Only wallet payments have a breakdown by bucket; the order knows how it is paid.
        const breakdown = order.paymentMethod === "wallet" ? await ports.payments.breakdown(tx, command.paymentId) : null;
        await emit(
          tx,
          OrderPaid,
          {
            orderId,
            buyerUserId: order.buyerUserId,
            courseIds: [...new Set(lines.map((l) => l.courseId))],
            paymentId: command.paymentId,
            amount: order.total,
            currency: order.currency,
            paymentMethod: order.paymentMethod,
            ...(breakdown ? { paymentBreakdown: breakdown } : {}),
          },
          order,
          context,
        );
        return;
      }
      case "GrantLicenses": {
        const lines = await linesOfOrder();
        const granted = grantLicensesAtCommit(
          tx,
          lines.map((line) => ({
            licenseId: newIdIn(tx, "lcn"),
            orderId,
            line: line.line,
            tenantId: order.tenantId,
            buyerUserId: order.buyerUserId,
            listingId: line.listingId,
            courseId: line.courseId,
            courseVersionId: line.courseVersionId,
            terms: licenseTermsFor(line, now),
            perpetualOffline: line.perpetualOffline,
          })),
          now,
        );
        for (const license of granted) {
          // The outbox publishes .v1 beside it (dual publish, declared in the contract).
          await emit(
            tx,
            LicenseGrantedV2,
            {
              licenseId: license.licenseId,
              orderId,
              courseId: license.courseId,
              listingId: license.listingId,
              buyerUserId: order.buyerUserId,
              ...(license.kind === "seat_pack" && license.seatTotal ? { seatTotal: license.seatTotal } : {}),
              perpetualOffline: license.perpetualOffline,
            },
            order,
            context,
          );
        }
        return [{ type: "LicensesGranted", licenseIds: granted.map((l) => l.licenseId) }];
      }
      case "RequestEnrollments": {
        const licenses = (await licensesOfOrderIn(tx, orderId)).filter((l) => enrollsBuyer(l.kind));
        try {
          const results = await ports.enrollments.enroll(
            tx,
            licenses.map((l) => ({
              tenantId: order.tenantId,
              userId: order.buyerUserId,
              courseId: l.courseId,
              courseVersionId: l.courseVersionId,
              licenseId: l.licenseId,
              orderId,
              sourceKind: "license" as const,
              sourceRef: l.licenseId,
              // A subscription's enrollments carry no end date: the subscription ends them (its deadlines are rows).
              ...(l.validUntil && l.kind !== "subscription" ? { expiresAt: new Date(l.validUntil) } : {}),
              ...(l.perpetualOffline ? { offlineUntil: "perpetual" as const } : {}),
            })),
            context,
          );
          // An enrollment that already existed emits no enrollment.created.v1: count it now.
          return results.filter((r) => !r.created).map((r) => ({ type: "EnrollmentCreated" as const, enrollmentId: r.enrollmentId }));
        } catch (error) {
          if (error instanceof RejectionError) return [{ type: "EnrollmentRefused", reason: error.rejection.code }];
          throw error;
        }
      }
      case "RecordRevenue": {
        const lines = await linesOfOrder();
        const shares = revenueByLine(
          lines.map((l) => ({ providerId: l.providerId, listingId: l.listingId, amount: l.amount })),
          order.discount,
        );
        recordEarningsAtCommit(
          tx,
          shares.map((share, i) => ({
            ...share,
            entryId: newId("ern"),
            orderId,
            line: lines[i]!.line,
            kind: "sale" as const,
            currency: order.currency,
            maturesAt: order.refundDeadline ?? now,
          })),
          now,
        );
        return;
      }
      case "StartSubscriptions": {
        const lines = (await linesOfOrder()).filter(recurring);
        // An order placed before renewals existed kept no method on file: it keeps the one prepaid period it was sold.
        if (lines.length === 0 || !(await ports.payments.hasMethodOnFile(tx, orderId))) return;
        await startSubscriptions(
          subscriptions,
          ports.payments,
          tx,
          { ...order, paymentId: state.paymentId, billingCountry: await billingCountryOf(tx, orderId) },
          await Promise.all(
            lines.map(async (l) => ({
              ...l,
              kind: l.kind as Exclude<typeof l.kind, "one_time">,
              interval: l.interval!,
              seats: l.kind === "seat_pack" ? l.quantity : null,
              // Only a seat pack's plan may cap its seat releases: read for those alone.
              revocationCapPercent:
                l.kind === "seat_pack" ? ((await planVersionOf(tx, l.planId, l.planVersion))?.revocationCapPercent ?? null) : null,
            })),
          ),
          await licensesOfOrderIn(tx, orderId),
          now,
          metadata,
        );
        return;
      }
      case "PublishFulfilled":
        await emit(
          tx,
          OrderFulfilled,
          {
            orderId,
            buyerUserId: order.buyerUserId,
            licenseIds: state.licenseIds,
            enrollmentIds: state.enrollmentIds,
            total: order.total,
            currency: order.currency,
          },
          order,
          context,
        );
        return;
      case "ReleaseCoupon":
        await releaseRedemption(tx, orderId, now);
        return;
      case "RevokeLicenses": {
        const revoked = await revokeLicensesOfOrder(tx, orderId, command.reason, now);
        for (const license of revoked)
          await emit(tx, LicenseRevoked, { licenseId: license.licenseId, orderId, reason: command.reason }, order, context);
        return;
      }
      case "RevokeEnrollments":
        for (const licenseId of command.licenseIds)
          await ports.enrollments.revokeLicense(tx, { licenseId, orderId, reason: "order_failed", aggregate: false }, context);
        return;
      case "RefundPayment":
        await ports.payments.refund(tx, {
          orderId,
          paymentId: command.paymentId,
          amount: order.total,
          reason: command.reason,
          correlationId: orderId,
          metadata,
          key: `saga:${command.reason}`,
        });
        return;
      case "PublishFailed":
        await emit(
          tx,
          OrderFailed,
          {
            orderId,
            buyerUserId: order.buyerUserId,
            failureReason: command.failureReason,
            failureStage: command.failureStage,
            rollbackCompleted: command.rollbackCompleted,
            ...(command.amountRequired !== undefined ? { amountRequired: command.amountRequired } : {}),
            ...(command.amountAvailable !== undefined ? { amountAvailable: command.amountAvailable } : {}),
          },
          order,
          context,
        );
        return;
      default: {
        const unreachable: never = command;
        return unreachable;
      }
    }
  }

  return new SagaRuntime(
    purchaseSaga(timeouts),
    kernel.clock,
    execute,
    (name) => (name === "payment" ? { type: "PaymentDeadlinePassed" } : { type: "EnrollmentDeadlinePassed" }),
    (settled) => [
      orderStatesWrite(
        settled.map(({ sagaId, state }) => ({
          orderId: sagaId,
          status: state.status,
          paymentId: state.paymentId,
          failure: state.failure,
          at: kernel.clock.now(),
        })),
      ),
    ],
  );
}
