import type { SeedEvent, SeedFixture } from "./seed-contract.js";
import { seed004Events } from "./seed-004-events.fixture.js";
import { named, notProduced } from "./seed-names.fixture.js";
import { BUYER, MONEY, BY_ORDER, BY_LEARNER, camel } from "./seed-reasons.fixture.js";

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
 * The fixture is this file with its parts: seed 004's events (seed-004-events.fixture.ts), the
 * sections that only name wire types and the seed events we do not produce (seed-names.fixture.ts),
 * and the reasons the mappings share (seed-reasons.fixture.ts).
 *
 * Checked against the live registry by seed-contract.test.ts; docs/event-contract.md shows the
 * mappings (regenerate its table with `npx tsx tests/contracts/event-contract-doc.ts --write`).
 */

const seed000: SeedEvent[] = [
  {
    wireType: "marketplace.license.granted.v1",
    seed: "seed 000 §2.0",
    direction: "published",
    partitionKey: { seed: "seed 000 §7", seedField: "userId", ourField: "orderId", why: BY_ORDER },
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
    partitionKey: { seed: "seed 000 §7", seedField: "userId", ourField: "orderId", why: BY_ORDER },
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
    partitionKey: { seed: "seed 000 §7", seedField: "userId", ourField: "orderId", why: BY_ORDER },
    fields: { licenseId: "string", assigneeUserId: "string", seatAssignmentId: "string", orderId: "string" },
  },
  {
    wireType: "marketplace.license.revoked.v1",
    seed: "seed 000 §2.0",
    direction: "published",
    partitionKey: { seed: "seed 000 §7", seedField: "userId", ourField: "orderId", why: BY_ORDER },
    fields: { licenseId: "string", orderId: "string", reason: "string" },
  },
  {
    wireType: "enrollment.revoked.v1",
    seed: "seed 000 §2.0",
    seedName: "EnrollmentRevokedV1PayloadEp6 (refund aggregate)",
    direction: "published",
    partitionKey: {
      seed: "seed 000 §7",
      seedField: "userId",
      ourField: "orderId",
      why: "the refund aggregate names no learner: it is the order's, keyed with the refund's other events",
    },
    fields: { orderId: "string", revokedCount: "number" },
  },
  {
    wireType: "enrollment.created.v1",
    seed: "seed 000 §2.1",
    direction: "published",
    partitionKey: BY_LEARNER,
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
    partitionKey: BY_LEARNER,
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
    partitionKey: BY_LEARNER,
    fields: { enrollmentId: "string", tenantId: "string", userId: "string", expiredAt: "date-time" },
  },
  {
    wireType: "enrollment.revoked.v1",
    seed: "seed 000 §2.4",
    seedName: "EnrollmentRevokedV1 (one enrollment)",
    direction: "published",
    partitionKey: BY_LEARNER,
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
    partitionKey: BY_LEARNER,
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

export const seedFixture: SeedFixture = { events: [...seed000, ...seed002, ...seed004Events], named, notProduced };
