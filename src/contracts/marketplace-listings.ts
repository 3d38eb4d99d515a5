import { Type, type Static } from "@sinclair/typebox";
import { defineEvent, described } from "../platform/events/registry.js";

/**
 * Wire types of the marketplace's listings, pricing plans and refund policies (EVENTS.md
 * "Published"), field for field. Order, license and payout events live in their own contract file.
 */
const Id = Type.String({ minLength: 1, maxLength: 200 });
const closed = { additionalProperties: false } as const;

const ListingFacts = {
  listingId: Id,
  providerId: Id,
  courseId: Id,
  courseVersionId: Id,
};
const ListingPayload = Type.Object(ListingFacts, closed);
const ListingWithReason = Type.Object({ ...ListingFacts, reason: Type.String({ minLength: 1, maxLength: 2000 }) }, closed);

export type ListingEventPayload = Static<typeof ListingPayload>;
export type ListingReasonPayload = Static<typeof ListingWithReason>;

function listingEvent<T extends string, S extends typeof ListingPayload | typeof ListingWithReason>(type: T, payload: S) {
  return defineEvent({
    type,
    source: "marketplace",
    aggregateType: "Listing",
    retentionClass: "operational",
    payload,
    aggregateId: (p: Static<S>) => p.listingId,
    partitionKey: (p: Static<S>) => p.listingId,
  });
}

export const ListingSubmitted = described(listingEvent("marketplace.listing.submitted.v1", ListingPayload), {
  summary: "A provider submitted a listing for review.",
  example: {
    listingId: "lst_0194e8a1b2c3d4e5f6a7b8c9d0e1f2a3",
    providerId: "prv_northwind_academy",
    courseId: "crs_typescript_in_depth",
    courseVersionId: "cv_typescript_in_depth_2026_1",
  },
});
export const ListingApproved = described(listingEvent("marketplace.listing.approved.v1", ListingPayload), {
  summary: "A listing was approved; it may go live.",
  example: {
    listingId: "lst_0194e8a1b2c3d4e5f6a7b8c9d0e1f2a3",
    providerId: "prv_northwind_academy",
    courseId: "crs_typescript_in_depth",
    courseVersionId: "cv_typescript_in_depth_2026_1",
  },
});
export const ListingLive = described(listingEvent("marketplace.listing.live.v1", ListingPayload), {
  summary: "A listing is live: its course can be bought.",
  example: {
    listingId: "lst_0194e8a1b2c3d4e5f6a7b8c9d0e1f2a3",
    providerId: "prv_northwind_academy",
    courseId: "crs_typescript_in_depth",
    courseVersionId: "cv_typescript_in_depth_2026_1",
  },
});
export const ListingRejected = described(listingEvent("marketplace.listing.rejected.v1", ListingWithReason), {
  summary: "A listing was rejected, with the reason.",
  example: {
    listingId: "lst_0194e8a1b2c3d4e5f6a7b8c9d0e1f2a3",
    providerId: "prv_northwind_academy",
    courseId: "crs_typescript_in_depth",
    courseVersionId: "cv_typescript_in_depth_2026_1",
    reason: "The description promises a certificate the course does not issue.",
  },
});
export const ListingSuspended = described(listingEvent("marketplace.listing.suspended.v1", ListingWithReason), {
  summary: "A live listing was suspended, with the reason.",
  example: {
    listingId: "lst_0194e8a1b2c3d4e5f6a7b8c9d0e1f2a3",
    providerId: "prv_northwind_academy",
    courseId: "crs_typescript_in_depth",
    courseVersionId: "cv_typescript_in_depth_2026_1",
    reason: "Copyright complaint under review.",
  },
});
export const ListingReinstated = described(listingEvent("marketplace.listing.reinstated.v1", ListingWithReason), {
  summary: "A suspended listing was reinstated, with the reason.",
  example: {
    listingId: "lst_0194e8a1b2c3d4e5f6a7b8c9d0e1f2a3",
    providerId: "prv_northwind_academy",
    courseId: "crs_typescript_in_depth",
    courseVersionId: "cv_typescript_in_depth_2026_1",
    reason: "Complaint withdrawn.",
  },
});

export const PlanKind = Type.Union([
  Type.Literal("one_time"),
  Type.Literal("subscription"),
  Type.Literal("seat_pack"),
  Type.Literal("site_license"),
]);

export const PlanVersioned = defineEvent({
  type: "marketplace.plan.versioned.v1",
  summary: "A pricing plan got a new version (new price or terms); orders name the version they bought.",
  source: "marketplace",
  aggregateType: "PricingPlan",
  retentionClass: "operational",
  payload: Type.Object(
    {
      listingId: Id,
      planId: Id,
      version: Type.Integer({ minimum: 1 }),
      kind: PlanKind,
      amount: Type.Integer({ minimum: 0 }),
      currency: Type.String({ pattern: "^[A-Z]{3}$" }),
      seats: Type.Optional(Type.Integer({ minimum: 1 })),
    },
    closed,
  ),
  aggregateId: (p) => p.planId,
  partitionKey: (p) => p.listingId,
  example: {
    listingId: "lst_0194e8a1b2c3d4e5f6a7b8c9d0e1f2a3",
    planId: "pln_0194e8a1c4d5e6f7a8b9c0d1e2f3a4b5",
    version: 2,
    kind: "seat_pack",
    amount: 1000,
    currency: "USD",
    seats: 5,
  },
});

// seed 002 PolicyCreated/Updated/Deprecated; EVENTS.md gives all three the same full payload.
const RefundPolicyPayload = Type.Object(
  {
    policyId: Id,
    name: Type.String({ minLength: 1, maxLength: 200 }),
    type: Type.String({ minLength: 1, maxLength: 50 }),
    refundPeriodDays: Type.Integer({ minimum: 0 }),
  },
  closed,
);

function refundPolicyEvent<T extends string>(type: T) {
  return defineEvent({
    type,
    source: "marketplace",
    aggregateType: "RefundPolicy",
    retentionClass: "audit",
    payload: RefundPolicyPayload,
    aggregateId: (p) => p.policyId,
    partitionKey: (p) => p.policyId,
  });
}

export const RefundPolicyCreated = described(refundPolicyEvent("marketplace.refund_policy.created.v1"), {
  summary: "A refund policy was created.",
  example: {
    policyId: "rpo_standard_14_days",
    name: "Standard 14 days",
    type: "time_window",
    refundPeriodDays: 14,
  },
});
export const RefundPolicyUpdated = described(refundPolicyEvent("marketplace.refund_policy.updated.v1"), {
  summary: "A refund policy was changed.",
  example: {
    policyId: "rpo_standard_14_days",
    name: "Standard 30 days",
    type: "time_window",
    refundPeriodDays: 30,
  },
});
export const RefundPolicyDeprecated = described(refundPolicyEvent("marketplace.refund_policy.deprecated.v1"), {
  summary: "A refund policy was deprecated: no new listing may use it.",
  example: {
    policyId: "rpo_standard_14_days",
    name: "Standard 30 days",
    type: "time_window",
    refundPeriodDays: 30,
  },
});

export const marketplaceListingEvents = [
  ListingSubmitted,
  ListingApproved,
  ListingLive,
  ListingRejected,
  ListingSuspended,
  ListingReinstated,
  PlanVersioned,
  RefundPolicyCreated,
  RefundPolicyUpdated,
  RefundPolicyDeprecated,
];
