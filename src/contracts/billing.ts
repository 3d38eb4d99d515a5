import { Type, type Static } from "@sinclair/typebox";
import { defineEvent } from "../platform/events/registry.js";

/**
 * Wire types billing PUBLISHES (EVENTS.md, billing.* rows), field for field. Money is integer minor
 * units; payment events are partitioned by orderId (the purchase saga's key), wallet events by userId.
 */
const Id = Type.String({ minLength: 1 });
const Minor = Type.Integer({ minimum: 0 });
const Currency = Type.String({ pattern: "^[A-Z]{3}$" });
/** A learner-credit wallet's buckets (seed 004's coin types); billing's routes answer with them too. */
export const WalletBucket = Type.Union([Type.Literal("promo"), Type.Literal("branded"), Type.Literal("general")]);
const strict = { additionalProperties: false } as const;

export const PaymentSucceeded = defineEvent({
  type: "billing.payment.succeeded.v1",
  source: "billing",
  aggregateType: "Payment",
  retentionClass: "financial",
  payload: Type.Object(
    {
      paymentId: Id,
      orderId: Id,
      amount: Minor,
      currency: Currency,
      method: Type.Union([Type.Literal("card"), Type.Literal("wallet")]),
      provider: Id,
    },
    strict,
  ),
  aggregateId: (p) => p.paymentId,
  partitionKey: (p) => p.orderId,
});

export const PaymentFailed = defineEvent({
  type: "billing.payment.failed.v1",
  source: "billing",
  aggregateType: "Payment",
  retentionClass: "financial",
  payload: Type.Object({ paymentId: Id, orderId: Id, failureCode: Id, failureMessage: Type.String() }, strict),
  aggregateId: (p) => p.paymentId,
  partitionKey: (p) => p.orderId,
});

export const PaymentRefunded = defineEvent({
  type: "billing.payment.refunded.v1",
  source: "billing",
  aggregateType: "Payment",
  retentionClass: "financial",
  payload: Type.Object({ paymentId: Id, orderId: Id, refundId: Id, amount: Minor, currency: Currency }, strict),
  aggregateId: (p) => p.paymentId,
  partitionKey: (p) => p.orderId,
});

export const WalletCredited = defineEvent({
  type: "billing.wallet.credited.v1",
  source: "billing",
  aggregateType: "Wallet",
  retentionClass: "financial",
  payload: Type.Object({ transactionId: Id, userId: Id, bucket: WalletBucket, amount: Minor, currency: Currency }, strict),
  aggregateId: (p) => p.userId,
  partitionKey: (p) => p.userId,
});

/** seed 004 wallet.debited, one per bucket (coin type) touched; `bucket` is the seed's coin_type. */
export const WalletDebited = defineEvent({
  type: "billing.wallet.debited.v1",
  source: "billing",
  aggregateType: "Wallet",
  retentionClass: "financial",
  payload: Type.Object(
    {
      transactionId: Id,
      userId: Id,
      transactionType: Id,
      bucket: WalletBucket,
      amount: Minor,
      balanceBefore: Minor,
      balanceAfter: Minor,
      relatedEntity: Type.Object({ type: Id, id: Id }, strict),
      currency: Currency,
    },
    strict,
  ),
  aggregateId: (p) => p.userId,
  partitionKey: (p) => p.userId,
});

/** seed 004 wallet.debit_failed. */
export const WalletDebitFailed = defineEvent({
  type: "billing.wallet.debit_failed.v1",
  source: "billing",
  aggregateType: "Wallet",
  retentionClass: "financial",
  payload: Type.Object(
    {
      userId: Id,
      transactionType: Id,
      amountRequired: Minor,
      amountAvailable: Minor,
      failureReason: Id,
      relatedOrderId: Id,
    },
    strict,
  ),
  aggregateId: (p) => p.userId,
  partitionKey: (p) => p.userId,
});

/** seed 004 wallet.refunded: coins go back to the buckets they came from. */
export const WalletRefunded = defineEvent({
  type: "billing.wallet.refunded.v1",
  source: "billing",
  aggregateType: "Wallet",
  retentionClass: "financial",
  payload: Type.Object(
    {
      userId: Id,
      refundReason: Id,
      originalOrderId: Id,
      originalTransactionIds: Type.Array(Id),
      refundTransactionIds: Type.Array(Id),
      refundBreakdown: Type.Array(Type.Object({ bucket: WalletBucket, amount: Minor }, strict)),
      totalRefunded: Minor,
    },
    strict,
  ),
  aggregateId: (p) => p.userId,
  partitionKey: (p) => p.userId,
});

export type PaymentSucceededPayload = Static<typeof PaymentSucceeded.payload>;
export type PaymentFailedPayload = Static<typeof PaymentFailed.payload>;
export type PaymentRefundedPayload = Static<typeof PaymentRefunded.payload>;

export const billingEvents = [
  PaymentSucceeded,
  PaymentFailed,
  PaymentRefunded,
  WalletCredited,
  WalletDebited,
  WalletDebitFailed,
  WalletRefunded,
];
