import { LicenseExpired } from "../../../contracts/marketplace-orders.js";
import {
  SubscriptionCanceled,
  SubscriptionExpired,
  SubscriptionPastDue,
  SubscriptionReactivated,
  SubscriptionRenewed,
  SubscriptionSuspended,
} from "../../../contracts/marketplace-subscriptions.js";
import type { Tx } from "../../../platform/db/db.js";
import { systemMetadata, type EventContext, type EventMetadata } from "../../../platform/events/envelope.js";
import { envelope, type EventDefinition, type PayloadOf } from "../../../platform/events/registry.js";
import { markMinted, newId } from "../../../platform/ids.js";
import type { Kernel } from "../../../platform/kernel.js";
import { RejectionError } from "../../../platform/result.js";
import { SagaRuntime } from "../../../platform/saga/saga-runtime.js";
import { endLicense, extendLicense } from "../licenses/licenses.sql.js";
import type { MarketplacePorts } from "../ports.js";
import { recordEarningsAtCommit } from "../revenue/earnings.sql.js";
import { splitRevenue } from "../revenue/revenue-share.domain.js";
import {
  currentPeriod,
  subscriptionSaga,
  type SubscriptionCommand,
  type SubscriptionEffect,
  type SubscriptionInput,
  type SubscriptionState,
} from "./subscription-saga.domain.js";
import { chargeRef, type DunningPolicy } from "./subscription.domain.js";
import { forgetSubscription, preloadSubscriptions, subscriptionIn } from "./subscription-memo.js";
import { applyNextTerms, recordChargeAtCommit, subscriptionStatesWrite } from "./subscriptions.sql.js";

export type SubscriptionRuntime = SagaRuntime<SubscriptionState, SubscriptionInput, SubscriptionCommand>;

/**
 * A deadline of a subscription (a renewal, a retry, the end of grace) is the system acting on
 * nobody's request: a new trace each time, actor "system", no request id. What the buyer did to
 * start the subscription stays in the purchase's trace; a renewal months later is not part of it.
 */
const systemStep = (): EventMetadata => systemMetadata();

const DEADLINE_INPUTS = {
  renewal: "RenewalDue",
  retry: "RetryDue",
  grace: "GraceEnded",
  final: "FinalDeadlinePassed",
  period_end: "PeriodEnded",
} as const;

/**
 * The I/O behind the subscription saga's commands, each in the transaction that recorded the step:
 * a crash between the charge and its record leaves neither, and the charge's reference (one
 * payment per subscription, period and attempt) makes asking again harmless.
 */
export function subscriptionRuntime(kernel: Kernel, ports: MarketplacePorts, policy: DunningPolicy): SubscriptionRuntime {
  /** correlationId = the subscription; metadata: the request or renewal the step belongs to (see systemStep). */
  const flowContext = (subscriptionId: string, cause: string | null, metadata: EventMetadata): EventContext => ({
    correlationId: subscriptionId,
    causationId: cause,
    metadata,
  });

  async function execute(
    tx: Tx,
    subscriptionId: string,
    command: SubscriptionEffect,
    state: SubscriptionState,
    cause: string | null,
    metadata: EventMetadata,
  ): Promise<SubscriptionInput[] | void> {
    const sub = await subscriptionIn(tx, subscriptionId);
    const now = kernel.clock.now();
    const subject = {
      subscriptionId,
      orderId: sub.orderId,
      licenseId: sub.licenseId,
      buyerUserId: sub.buyerUserId,
      tenantId: sub.tenantId,
    };
    const emit = <D extends EventDefinition<string, any>>(definition: D, payload: PayloadOf<D>) =>
      kernel.outbox.append(tx, [
        envelope(
          definition,
          payload,
          { eventId: newId("evt"), occurredAt: now, tenantId: sub.tenantId },
          flowContext(subscriptionId, cause, metadata),
        ),
      ]);
    const period = currentPeriod(state);
    switch (command.type) {
      case "Charge": {
        const record = { subscriptionId, tenantId: sub.tenantId, period: command.period, attempt: command.attempt, at: now };
        recordChargeAtCommit(tx, { ...record, paymentId: null, status: "pending", failureCode: null });
        const failed = (failureCode: string, paymentId: string | null = null): SubscriptionInput[] => [
          { type: "ChargeFailed", period: command.period, attempt: command.attempt, paymentId, failureCode, at: now },
        ];
        // The saga holds this (period, attempt) under its lock and commits it with the charge: no
        // payment can exist for it yet, so billing sends its insert instead of waiting to find out.
        markMinted(tx, chargeRef(subscriptionId, command.period, command.attempt));
        try {
          const answer = await ports.payments.chargeOnFile(tx, {
            ownerRef: sub.methodRef,
            chargeRef: chargeRef(subscriptionId, command.period, command.attempt),
            tenantId: sub.tenantId,
            buyerUserId: sub.buyerUserId,
            amount: sub.next?.charge ?? sub.charge,
            currency: sub.currency,
            correlationId: subscriptionId,
            metadata,
          });
          // An answer at once (sandbox, wallet) moves the saga now; a pending one (Stripe) by billing's event.
          if (answer.status === "succeeded")
            return [{ type: "ChargeSucceeded", period: command.period, attempt: command.attempt, paymentId: answer.paymentId!, at: now }];
          if (answer.status === "failed") return failed(answer.failureCode ?? "payment_failed", answer.paymentId);
          return;
        } catch (error) {
          // Billing refused to try (no method on file): the renewal failed like a decline, and dunning starts.
          if (error instanceof RejectionError) return failed(error.rejection.code);
          throw error;
        }
      }
      case "RecordChargeOutcome":
        recordChargeAtCommit(tx, {
          subscriptionId,
          tenantId: sub.tenantId,
          period: command.period,
          attempt: command.attempt,
          paymentId: command.paymentId,
          status: command.succeeded ? "succeeded" : "failed",
          failureCode: command.failureCode ?? null,
          at: now,
        });
        return;
      case "ExtendLicense":
        extendLicense(tx, sub.licenseId, new Date(command.until), now);
        return;
      case "RecordRevenue":
        // A renewal is paid in full at the held price (a coupon applied to the first order only) and has no refund window.
        recordEarningsAtCommit(
          tx,
          [
            {
              ...splitRevenue(sub.next?.price ?? sub.price),
              providerId: sub.providerId,
              listingId: sub.listingId,
              amount: sub.next?.price ?? sub.price,
              entryId: newId("ern"),
              orderId: sub.orderId,
              line: sub.line,
              period: command.period,
              kind: "sale",
              currency: sub.currency,
              maturesAt: now,
            },
          ],
          now,
        );
        return;
      case "ApplyPlanChange":
        await applyNextTerms(tx, subscriptionId, now);
        forgetSubscription(tx, subscriptionId);
        return;
      case "HoldAccess":
        await ports.enrollments.holdLicense(tx, sub.licenseId, flowContext(subscriptionId, cause, metadata));
        return;
      case "ReleaseAccess":
        await ports.enrollments.releaseLicense(tx, sub.licenseId, flowContext(subscriptionId, cause, metadata));
        return;
      case "EndAccess": {
        if (await endLicense(tx, sub.licenseId, now))
          await emit(LicenseExpired, { licenseId: sub.licenseId, orderId: sub.orderId, expiredAt: now.toISOString() });
        await ports.enrollments.endLicense(tx, sub.licenseId, now, flowContext(subscriptionId, cause, metadata));
        return;
      }
      case "RefundCharge": {
        // What this payment took (a pending change-plan may have priced it), not the current terms.
        const paid = await ports.payments.refundState(tx, command.paymentId);
        if (!paid || paid.amount - paid.refundedAmount <= 0) return;
        await ports.payments.refund(tx, {
          orderId: chargeRef(subscriptionId, command.period, command.attempt),
          paymentId: command.paymentId,
          amount: paid.amount - paid.refundedAmount,
          reason: "subscription_ended",
          correlationId: subscriptionId,
          key: "subscription:paid_after_end",
          metadata,
        });
        return;
      }
      case "PublishRenewed":
        await emit(SubscriptionRenewed, {
          ...subject,
          period: command.period,
          paymentId: command.paymentId,
          amount: sub.charge,
          currency: sub.currency,
          currentPeriodStart: period.start.toISOString(),
          currentPeriodEnd: period.end.toISOString(),
        });
        return;
      case "PublishPastDue":
        await emit(SubscriptionPastDue, {
          ...subject,
          period: state.period + 1,
          failureCode: command.failureCode,
          pastDueSince: state.pastDueSince ?? now.toISOString(),
          nextRetryAt: command.retryAt,
          suspendsAt: new Date(period.end.getTime() + policy.graceMs).toISOString(),
          cancelsAt: new Date(period.end.getTime() + policy.cancelAfterMs).toISOString(),
        });
        return;
      case "PublishSuspended":
        await emit(SubscriptionSuspended, {
          ...subject,
          suspendedAt: now.toISOString(),
          cancelsAt: new Date(period.end.getTime() + policy.cancelAfterMs).toISOString(),
        });
        return;
      case "PublishCanceled":
        await emit(SubscriptionCanceled, {
          ...subject,
          reason: command.reason,
          atPeriodEnd: command.atPeriodEnd,
          endsAt: (command.atPeriodEnd ? period.end : now).toISOString(),
        });
        return;
      case "PublishExpired":
        await emit(SubscriptionExpired, { ...subject, reason: command.reason, expiredAt: now.toISOString() });
        return;
      case "PublishReactivated":
        await emit(SubscriptionReactivated, { ...subject, reason: command.reason, currentPeriodEnd: period.end.toISOString() });
        return;
      default: {
        const unreachable: never = command;
        return unreachable;
      }
    }
  }

  return new SagaRuntime(
    subscriptionSaga(policy),
    kernel.clock,
    execute,
    (name) => ({ type: DEADLINE_INPUTS[name as keyof typeof DEADLINE_INPUTS], at: kernel.clock.now() }) as SubscriptionInput,
    (settled) => [
      subscriptionStatesWrite(
        settled.map(({ sagaId, state }) => ({ subscriptionId: sagaId, state })),
        kernel.clock.now(),
      ),
    ],
    // A burst of renewals: their subscriptions, then the methods billing will charge, one read each per batch.
    async (tx, subscriptionIds) => {
      await preloadSubscriptions(tx, subscriptionIds);
      const rows = await Promise.all(subscriptionIds.map((id) => subscriptionIn(tx, id)));
      await ports.payments.prepareCharges(
        tx,
        rows.map((row) => row.methodRef),
      );
    },
    { deadlineMetadata: systemStep },
  );
}
