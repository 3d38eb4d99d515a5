import type { NotProduced, SeedNames } from "./seed-contract.js";

/**
 * The seed sections that name wire types without giving payloads, and the seed events we
 * deliberately do not produce, each with its reason. Part of the fixture in seed-events.fixture.ts.
 */

/** Sections that name wire types without payloads: each type must be in the registry. */
export const named: SeedNames[] = [
  {
    seed: "seed 000 §3 (consumed by enrollment)",
    direction: "consumed",
    wireTypes: [
      "marketplace.license.granted.v1",
      "marketplace.license.revoked.v1",
      "assignment.window.opened.v1",
      "progress.completion.recorded.v1",
      "delivery.play_session.started.v1",
      "gdpr.subject_request.received.v1",
    ],
  },
  {
    seed: "seed 001 §5.1 (upstream)",
    direction: "consumed",
    wireTypes: ["catalog.course_version.published.v1", "content.play_package.built.v1"],
  },
  {
    seed: "seed 001 §5.2 (downstream consumers)",
    direction: "published",
    wireTypes: [
      "marketplace.license.granted.v1",
      "marketplace.order.fulfilled.v1",
      "marketplace.order.refunded.v1",
      "marketplace.order.failed.v1",
      "marketplace.listing.approved.v1",
      "marketplace.listing.suspended.v1",
      "marketplace.order.placed.v1",
    ],
  },
  {
    seed: "seed 001 §5.3 (consumed by marketplace)",
    direction: "consumed",
    wireTypes: [
      "billing.payment.succeeded.v1",
      "billing.payment.failed.v1",
      "billing.payment.refunded.v1",
      "enrollment.created.v1",
      "content.play_package.built.v1",
      "catalog.course_version.published.v1",
      "gdpr.subject_request.received.v1",
    ],
  },
];

const IDENTITY =
  "users are identity-service's (seed 001 §5.1: identity is upstream); this engine reads user ids from tokens and publishes no user events";
const CATALOG =
  "courses are catalog-service's (seed 001 §2: catalog is upstream); this engine keeps a read model of courses and publishes no course events";
const ACCESS = "seed 002's Access context is our enrollment context, whose events follow seed 000 §2, the enrollment service's own schemas";
const GROCERY = "seed 004's grocery order flow (merchant, delivery, BizOne, notifications), not a course purchase";

export const notProduced: NotProduced[] = [
  { seed: "seed 002 User Context", seedName: "UserRegistered", why: IDENTITY },
  { seed: "seed 002 User Context", seedName: "UserProfileUpdated", why: IDENTITY },
  { seed: "seed 002 User Context", seedName: "UserEmailChanged", why: IDENTITY },
  { seed: "seed 002 Course Context", seedName: "CourseCreated", why: CATALOG },
  { seed: "seed 002 Course Context", seedName: "CourseUpdated", why: CATALOG },
  { seed: "seed 002 Course Context", seedName: "CourseDeprecated", why: CATALOG },
  { seed: "seed 002 Course Context", seedName: "CoursePolicyChanged", why: CATALOG },
  {
    seed: "seed 002 Orders Context",
    seedName: "OrderCancelled",
    why: "a buyer does not cancel an order here: an unpaid order times out and fails (marketplace.order.failed.v1, failureStage payment)",
  },
  { seed: "seed 002 Access Context", seedName: "CourseAccessGranted", why: `${ACCESS} (enrollment.created.v1)` },
  { seed: "seed 002 Access Context", seedName: "AccessRevoked", why: `${ACCESS} (enrollment.revoked.v1)` },
  { seed: "seed 002 Access Context", seedName: "AccessExpired", why: `${ACCESS} (enrollment.expired.v1)` },
  {
    seed: "seed 002 Access Context",
    seedName: "ProgressUpdated",
    why: "progress is progress-service's (seed 000 §3: we consume progress.completion.recorded.v1)",
  },
  { seed: "seed 002 Access Context", seedName: "CourseCompleted", why: `${ACCESS} (enrollment.completed.v1)` },
  {
    seed: "seed 004 EVENT 1",
    seedName: "order.validation_started",
    why: "checks run inside the placing request; a failed check is a refusal with a stable code, not an event",
  },
  {
    seed: "seed 004 EVENT 2",
    seedName: "order.validation_completed",
    why: "checks run inside the placing request; a failed check is a refusal with a stable code, not an event",
  },
  {
    seed: "seed 004 EVENT 3",
    seedName: "order.initiated",
    why: `the placed order is marketplace.order.placed.v1 (seed 002 OrderPlaced); ${GROCERY}`,
  },
  {
    seed: "seed 004 EVENT 4",
    seedName: "wallet.debit_started",
    why: "a wallet debit is one transaction: we publish its outcome (billing.wallet.debited.v1 or .debit_failed.v1) only",
  },
  { seed: "seed 004 EVENT 7", seedName: "bizone.order_created", why: GROCERY },
  {
    seed: "seed 004 EVENT 8",
    seedName: "order.created",
    why: `a course order's final event is marketplace.order.fulfilled.v1; ${GROCERY}`,
  },
  {
    seed: "seed 004 EVENT 9",
    seedName: "order.confirmation_sent",
    why: "notification-service's (seed 001 §4): we publish the facts it mails about",
  },
];
