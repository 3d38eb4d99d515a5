import type { Mapping, SeedEvent, SeedFixture } from "./seed-contract.js";
import { named, notProduced } from "./seed-names.fixture.js";

/**
 * What the seed documents say our events carry, field by field, and every place we deliberately
 * differ, with the reason. The seeds are the design documents this engine was built from:
 *
 * - seed 000: the enrollment service's event schemas (TypeScript interfaces; `?` = optional,
 *   ISODate = an ISO-8601 date-time string, `number` as written).
 * - seed 001: the marketplace service overview; §5 lists the events it consumes and who consumes
 *   its own, by wire type, without payloads.
 * - seed 002: the platform's domain events (names and snake_case fields, no types: ids are read as
 *   strings, `*_ids` as arrays of strings, amounts as numbers, `*_days` as integers).
 * - seed 004: the order flow's events, as JSON examples in snake_case (`data` is the payload): a
 *   field in every example is required, types are read from the example values (whole numbers of
 *   coins are integers).
 *
 * Checked against the live registry by seed-contract.test.ts; docs/event-contract.md shows the
 * mappings (regenerate its table with `npx tsx tests/contracts/event-contract-doc.ts --write`).
 */

// Why we differ, said once; each mapping names the one that applies.
const CAMEL = "our wire payloads are camelCase throughout, as seeds 000 and 001 write them; seeds 002 and 004 write snake_case";
const BUYER = "the buyer, named as seed 000 §2.0 names it (buyerUserId): a seat's learner is another user (assigneeUserId)";
const MONEY = "money is an integer in minor units with its currency beside it, never a float";
const BUCKET =
  "a wallet bucket (seed 004's coin type), camelCase; our buckets are promo, branded and general where seed 004's examples say promo_coins, branded_coins and rez_coins";
const NO_MERCHANT =
  "a course order has no merchant: each line's seller is its listing's provider (marketplace.order.placed.v1 items[].listingId)";

/** The usual snake_case → camelCase renames, each with the naming reason. */
function camel(...pairs: Array<[seedField: string, ourField: string]>): Mapping[] {
  return pairs.map(([seedField, ourField]) => ({ seedField, ourField, why: CAMEL }));
}

const seed000: SeedEvent[] = [
  {
    wireType: "marketplace.license.granted.v1",
    seed: "seed 000 §2.0",
    direction: "published",
    fields: {
      licenseId: "string",
      orderId: "string",
      courseId: "string",
      listingId: "string",
      buyerUserId: "string",
      seatTotal: { type: "number", optional: true },
    },
  },
  {
    // A next version keeps every seed field (seed 001 §7 F20: .v2 adds, .v1 goes on beside it).
    wireType: "marketplace.license.granted.v2",
    seed: "seed 000 §2.0",
    seedName: "(the .v1 payload; .v2 adds perpetualOffline for seed 001 §5.2's sync-service)",
    direction: "published",
    fields: {
      licenseId: "string",
      orderId: "string",
      courseId: "string",
      listingId: "string",
      buyerUserId: "string",
      seatTotal: { type: "number", optional: true },
    },
  },
  {
    wireType: "marketplace.license.assigned.v1",
    seed: "seed 000 §2.0",
    direction: "published",
    fields: { licenseId: "string", assigneeUserId: "string", seatAssignmentId: "string", orderId: "string" },
  },
  {
    wireType: "marketplace.license.revoked.v1",
    seed: "seed 000 §2.0",
    direction: "published",
    fields: { licenseId: "string", orderId: "string", reason: "string" },
  },
  {
    wireType: "enrollment.revoked.v1",
    seed: "seed 000 §2.0",
    seedName: "EnrollmentRevokedV1PayloadEp6 (refund aggregate)",
    direction: "published",
    fields: { orderId: "string", revokedCount: "number" },
  },
  {
    wireType: "enrollment.created.v1",
    seed: "seed 000 §2.1",
    direction: "published",
    fields: {
      enrollmentId: "string",
      tenantId: "string",
      userId: "string",
      courseId: "string",
      courseVersionId: "string",
      source: { object: { kind: "string", ref: "string" } },
      enrolledAt: "date-time",
      expiresAt: { type: "date-time", optional: true },
    },
  },
  {
    wireType: "enrollment.created.v1",
    seed: "seed 000 §2.1",
    seedName: "EP-6 commerce payload (subset)",
    direction: "published",
    fields: { enrollmentId: "string", licenseId: "string", orderId: "string", courseId: "string", userId: "string" },
    mappings: [
      {
        seedField: "licenseId",
        ourField: "licenseId",
        optional: true,
        why: "only a purchased enrollment has a licence; a default enrollment or an assignment has none",
      },
      {
        seedField: "orderId",
        ourField: "orderId",
        optional: true,
        why: "only a purchased enrollment has an order; a default enrollment or an assignment has none",
      },
    ],
  },
  {
    wireType: "enrollment.completed.v1",
    seed: "seed 000 §2.2",
    direction: "published",
    fields: {
      enrollmentId: "string",
      tenantId: "string",
      userId: "string",
      courseId: "string",
      completedAt: "date-time",
      completionRecordId: "string",
    },
  },
  {
    wireType: "enrollment.expired.v1",
    seed: "seed 000 §2.3",
    direction: "published",
    fields: { enrollmentId: "string", tenantId: "string", userId: "string", expiredAt: "date-time" },
  },
  {
    wireType: "enrollment.revoked.v1",
    seed: "seed 000 §2.4",
    seedName: "EnrollmentRevokedV1 (one enrollment)",
    direction: "published",
    fields: {
      enrollmentId: "string",
      tenantId: "string",
      userId: "string",
      reason: { enum: ["license_revoked", "admin", "compliance"] },
      revokedAt: "date-time",
    },
  },
  {
    wireType: "enrollment.accessed.v1",
    seed: "seed 000 §2.5",
    direction: "published",
    fields: { enrollmentId: "string", tenantId: "string", userId: "string", accessedAt: "date-time", attemptNumber: "number" },
  },
];

const seed002: SeedEvent[] = [
  {
    wireType: "marketplace.refund_policy.created.v1",
    seed: "seed 002 Refund Policy Context",
    seedName: "PolicyCreated",
    direction: "published",
    fields: { policy_id: "string", name: "string", type: "string", refund_period_days: "integer" },
    mappings: camel(["policy_id", "policyId"], ["refund_period_days", "refundPeriodDays"]),
  },
  {
    wireType: "marketplace.refund_policy.deprecated.v1",
    seed: "seed 002 Refund Policy Context",
    seedName: "PolicyDeprecated",
    direction: "published",
    fields: { policy_id: "string", name: "string" },
    mappings: camel(["policy_id", "policyId"]),
  },
  {
    wireType: "marketplace.refund_policy.updated.v1",
    seed: "seed 002 Refund Policy Context",
    seedName: "PolicyUpdated",
    direction: "published",
    fields: { policy_id: "string", new_conditions: "object" },
    mappings: [
      ...camel(["policy_id", "policyId"]),
      {
        seedField: "new_conditions",
        absent: true,
        why: "an update carries the whole policy as it now is (name, type, refundPeriodDays), not a change set: a consumer replaces its copy",
      },
    ],
  },
  {
    wireType: "marketplace.order.placed.v1",
    seed: "seed 002 Orders Context",
    seedName: "OrderPlaced",
    direction: "published",
    fields: { order_id: "string", user_id: "string", course_ids: { arrayOf: "string" }, total_amount: "number" },
    mappings: [
      ...camel(["order_id", "orderId"], ["course_ids", "courseIds"]),
      { seedField: "user_id", ourField: "buyerUserId", why: BUYER },
      { seedField: "total_amount", ourField: "total", why: `${MONEY}; the order's other sums are subtotal, discount and tax` },
    ],
  },
  {
    wireType: "marketplace.order.paid.v1",
    seed: "seed 002 Orders Context",
    seedName: "OrderPaid",
    direction: "published",
    fields: { order_id: "string", user_id: "string", course_ids: { arrayOf: "string" }, payment_id: "string" },
    mappings: [
      ...camel(["order_id", "orderId"], ["course_ids", "courseIds"], ["payment_id", "paymentId"]),
      { seedField: "user_id", ourField: "buyerUserId", why: BUYER },
    ],
  },
  {
    wireType: "marketplace.order.refunded.v1",
    seed: "seed 002 Orders Context",
    seedName: "OrderRefunded",
    direction: "published",
    fields: { order_id: "string", user_id: "string", course_ids: { arrayOf: "string" }, refund_reason: "string" },
    mappings: [
      ...camel(["order_id", "orderId"], ["course_ids", "courseIds"], ["refund_reason", "refundReason"]),
      { seedField: "user_id", ourField: "buyerUserId", why: BUYER },
    ],
  },
];

const seed004: SeedEvent[] = [
  {
    wireType: "billing.wallet.debited.v1",
    seed: "seed 004 EVENT 5",
    seedName: "wallet.debited",
    direction: "published",
    fields: {
      transaction_id: "string",
      user_id: "string",
      transaction_type: "string",
      coin_type: "string",
      amount: "integer",
      balance_before: "integer",
      balance_after: "integer",
      related_entity: { object: { type: "string", id: "string" } },
      // Only the first of the seed's three examples carries it.
      metadata: { type: { object: { campaign_code: "string", merchant_id: "string" } }, optional: true },
    },
    mappings: [
      ...camel(["transaction_id", "transactionId"], ["user_id", "userId"], ["transaction_type", "transactionType"]),
      ...camel(["balance_before", "balanceBefore"], ["balance_after", "balanceAfter"], ["related_entity", "relatedEntity"]),
      { seedField: "coin_type", ourField: "bucket", why: BUCKET },
      {
        seedField: "metadata",
        absent: true,
        why: "campaign and merchant belong to seed 004's grocery flow; the order a debit pays for is relatedEntity",
      },
    ],
  },
  {
    wireType: "marketplace.order.paid.v1",
    seed: "seed 004 EVENT 6",
    seedName: "order.paid",
    direction: "published",
    fields: {
      order_id: "string",
      user_id: "string",
      merchant_id: "string",
      amount: "integer",
      payment_method: "string",
      payment_breakdown: { arrayOf: { object: { type: "string", amount: "integer", transaction_id: "string" } } },
      campaign_code: "string",
      discount_applied: "integer",
    },
    mappings: [
      ...camel(["order_id", "orderId"], ["payment_method", "paymentMethod"]),
      { seedField: "user_id", ourField: "buyerUserId", why: BUYER },
      { seedField: "merchant_id", absent: true, why: NO_MERCHANT },
      {
        seedField: "payment_breakdown",
        ourField: "paymentBreakdown",
        optional: true,
        why: "renamed to camelCase, and optional: only a wallet payment has a breakdown by bucket, a card payment has none",
      },
      { seedField: "payment_breakdown[].type", ourField: "paymentBreakdown[].bucket", why: BUCKET },
      ...camel(["payment_breakdown[].transaction_id", "paymentBreakdown[].transactionId"]),
      {
        seedField: "campaign_code",
        absent: true,
        why: "a coupon is the order's, on marketplace.order.placed.v1 (couponCode); payment does not repeat it",
      },
      {
        seedField: "discount_applied",
        absent: true,
        why: "the discount is the order's, on marketplace.order.placed.v1 (discount); payment does not repeat it",
      },
    ],
  },
  {
    wireType: "marketplace.order.failed.v1",
    seed: "seed 004 ERROR EVENTS",
    seedName: "order.failed",
    direction: "published",
    fields: {
      order_id: "string",
      user_id: "string",
      merchant_id: "string",
      failure_reason: "string",
      failure_stage: "string",
      amount_required: "integer",
      amount_available: "integer",
      order_value: "integer",
      rollback_completed: "boolean",
    },
    mappings: [
      ...camel(
        ["order_id", "orderId"],
        ["failure_reason", "failureReason"],
        ["failure_stage", "failureStage"],
        ["rollback_completed", "rollbackCompleted"],
      ),
      { seedField: "user_id", ourField: "buyerUserId", why: BUYER },
      { seedField: "merchant_id", absent: true, why: NO_MERCHANT },
      {
        seedField: "amount_required",
        ourField: "amountRequired",
        optional: true,
        why: "renamed to camelCase, and optional: only a wallet shortfall has the two amounts, a card decline or a licensing failure has none",
      },
      {
        seedField: "amount_available",
        ourField: "amountAvailable",
        optional: true,
        why: "renamed to camelCase, and optional: only a wallet shortfall has the two amounts, a card decline or a licensing failure has none",
      },
      {
        seedField: "order_value",
        absent: true,
        why: "the order's total is on marketplace.order.placed.v1 (total); a failure does not repeat it",
      },
    ],
  },
  {
    wireType: "billing.wallet.debit_failed.v1",
    seed: "seed 004 ERROR EVENTS",
    seedName: "wallet.debit_failed",
    direction: "published",
    fields: {
      user_id: "string",
      transaction_type: "string",
      amount_required: "integer",
      amount_available: "integer",
      failure_reason: "string",
      related_order_id: "string",
    },
    mappings: camel(
      ["user_id", "userId"],
      ["transaction_type", "transactionType"],
      ["amount_required", "amountRequired"],
      ["amount_available", "amountAvailable"],
      ["failure_reason", "failureReason"],
      ["related_order_id", "relatedOrderId"],
    ),
  },
  {
    wireType: "billing.wallet.refunded.v1",
    seed: "seed 004 ERROR EVENTS",
    seedName: "wallet.refunded",
    direction: "published",
    fields: {
      user_id: "string",
      refund_reason: "string",
      original_order_id: "string",
      original_transaction_ids: { arrayOf: "string" },
      refund_transaction_ids: { arrayOf: "string" },
      refund_breakdown: { arrayOf: { object: { coin_type: "string", amount: "integer" } } },
      total_refunded: "integer",
    },
    mappings: [
      ...camel(["user_id", "userId"], ["refund_reason", "refundReason"], ["original_order_id", "originalOrderId"]),
      ...camel(["original_transaction_ids", "originalTransactionIds"], ["refund_transaction_ids", "refundTransactionIds"]),
      ...camel(["refund_breakdown", "refundBreakdown"], ["total_refunded", "totalRefunded"]),
      { seedField: "refund_breakdown[].coin_type", ourField: "refundBreakdown[].bucket", why: BUCKET },
    ],
  },
];

export const seedFixture: SeedFixture = { events: [...seed000, ...seed002, ...seed004], named, notProduced };
