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
  summary: "A payment for an order was taken (card or learner-credit wallet).",
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
  example: {
    paymentId: "pay_0194f3b2c5e9a0b1c2d3e4f5a6b7c8d9",
    orderId: "ord_0194f3b2c1d07a8e9f10a1b2c3d4e5f6",
    amount: 4900,
    currency: "USD",
    method: "card",
    provider: "stripe",
  },
});

export const PaymentFailed = defineEvent({
  type: "billing.payment.failed.v1",
  summary: "A payment for an order failed; the order fails unless it is retried.",
  source: "billing",
  aggregateType: "Payment",
  retentionClass: "financial",
  payload: Type.Object({ paymentId: Id, orderId: Id, failureCode: Id, failureMessage: Type.String() }, strict),
  aggregateId: (p) => p.paymentId,
  partitionKey: (p) => p.orderId,
  example: {
    paymentId: "pay_0194f3b2c5e9a0b1c2d3e4f5a6b7c8d9",
    orderId: "ord_0194f3b2c1d07a8e9f10a1b2c3d4e5f6",
    failureCode: "card_declined",
    failureMessage: "Your card was declined.",
  },
});

export const PaymentRefunded = defineEvent({
  type: "billing.payment.refunded.v1",
  summary: "A payment was refunded, in full or in part.",
  source: "billing",
  aggregateType: "Payment",
  retentionClass: "financial",
  payload: Type.Object({ paymentId: Id, orderId: Id, refundId: Id, amount: Minor, currency: Currency }, strict),
  aggregateId: (p) => p.paymentId,
  partitionKey: (p) => p.orderId,
  example: {
    paymentId: "pay_0194f3b2c5e9a0b1c2d3e4f5a6b7c8d9",
    orderId: "ord_0194f3b2c1d07a8e9f10a1b2c3d4e5f6",
    refundId: "rfd_0194f4a0b1c2d3e4f5a6b7c8d9e0f1a2",
    amount: 4900,
    currency: "USD",
  },
});

export const WalletCredited = defineEvent({
  type: "billing.wallet.credited.v1",
  summary: "Credit was added to a learner's wallet bucket.",
  source: "billing",
  aggregateType: "Wallet",
  retentionClass: "financial",
  payload: Type.Object({ transactionId: Id, userId: Id, bucket: WalletBucket, amount: Minor, currency: Currency }, strict),
  aggregateId: (p) => p.userId,
  partitionKey: (p) => p.userId,
  example: {
    transactionId: "wtx_0194f3b2c3d4e5f6a7b8c9d0e1f2a3b4",
    userId: "usr_buyer_42",
    bucket: "promo",
    amount: 2000,
    currency: "USD",
  },
});

/** seed 004 wallet.debited, one per bucket (coin type) touched; `bucket` is the seed's coin_type. */
export const WalletDebited = defineEvent({
  type: "billing.wallet.debited.v1",
  summary: "Credit was taken from one wallet bucket (one event per bucket a payment touched).",
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
  example: {
    transactionId: "wtx_0194f3b2c3d4e5f6a7b8c9d0e1f2a3b4",
    userId: "usr_buyer_42",
    transactionType: "purchase",
    bucket: "promo",
    amount: 1000,
    balanceBefore: 2000,
    balanceAfter: 1000,
    relatedEntity: { type: "order", id: "ord_0194f3b2c1d07a8e9f10a1b2c3d4e5f6" },
    currency: "USD",
  },
});

/** seed 004 wallet.debit_failed. */
export const WalletDebitFailed = defineEvent({
  type: "billing.wallet.debit_failed.v1",
  summary: "A wallet payment was refused: the wallet holds less than the order needs.",
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
  example: {
    userId: "usr_buyer_42",
    transactionType: "purchase",
    amountRequired: 4900,
    amountAvailable: 1500,
    failureReason: "WALLET_INSUFFICIENT_BALANCE",
    relatedOrderId: "ord_0194f3b2c1d07a8e9f10a1b2c3d4e5f6",
  },
});

/** seed 004 wallet.refunded: coins go back to the buckets they came from. */
export const WalletRefunded = defineEvent({
  type: "billing.wallet.refunded.v1",
  summary: "Wallet credit went back to the buckets it came from.",
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
  example: {
    userId: "usr_buyer_42",
    refundReason: "order_refunded",
    originalOrderId: "ord_0194f3b2c1d07a8e9f10a1b2c3d4e5f6",
    originalTransactionIds: ["wtx_0194f3b2c3d4e5f6a7b8c9d0e1f2a3b4"],
    refundTransactionIds: ["wtx_0194f4a0c2d3e4f5a6b7c8d9e0f1a2b3"],
    refundBreakdown: [{ bucket: "promo", amount: 1000 }],
    totalRefunded: 1000,
  },
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
