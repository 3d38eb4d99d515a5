import { Type } from "@sinclair/typebox";
import { PlanKind } from "../../../contracts/marketplace-listings.js";
import { CurrencyCode, Instant, MinorUnits, Nullable, OneOf } from "../../../platform/http/schemas.js";
import { LISTING_STATUSES } from "./listing.domain.js";

/**
 * What the listing and plan routes answer, for the served OpenAPI document. Fastify serializes
 * responses by these schemas, so a field missing here would be dropped from the response: keep them
 * in step with listingJson (listings.routes.ts) and planJson (plans.sql.ts).
 */
export const ListingStatus = OneOf(LISTING_STATUSES);

const Interval = Nullable(Type.Union([Type.Literal("month"), Type.Literal("year")]));

const PlanTermsFields = {
  version: Type.Integer({ minimum: 1 }),
  amount: MinorUnits("the price of one unit (a seat pack: of the whole pack), in minor units"),
  currency: CurrencyCode,
  seats: Nullable(Type.Integer({ description: "a seat pack's seats; null for other kinds" })),
  interval: Interval,
  validityDays: Nullable(Type.Integer({ description: "how long a non-renewing license lasts; null: no end" })),
  perpetualOffline: Type.Boolean(),
  revocationCapPercent: Type.Optional(Type.Integer({ description: "a renewing seat pack: seats releasable per period, in %" })),
  createdAt: Instant,
};

const PlanVersionView = Type.Object(PlanTermsFields, { additionalProperties: false });

/** A plan: its current terms at the top level, every version (oldest first) in `versions`. */
export const PlanView = Type.Object(
  { planId: Type.String(), kind: PlanKind, ...PlanTermsFields, versions: Type.Array(PlanVersionView) },
  { additionalProperties: false },
);

export const ListingView = Type.Object(
  {
    listingId: Type.String(),
    status: ListingStatus,
    providerId: Type.String(),
    courseId: Type.String(),
    courseVersionId: Type.String(),
    title: Type.String(),
    description: Type.String(),
    marketingCopy: Nullable(Type.String()),
    screenshots: Type.Array(Type.String()),
    featuredAssets: Type.Array(Type.String()),
    refundPolicyId: Nullable(Type.String()),
    lastReason: Nullable(Type.String({ description: "the reason given with the last rejection, suspension or reinstatement" })),
    createdAt: Instant,
    updatedAt: Instant,
    plans: Type.Array(PlanView),
  },
  { additionalProperties: false },
);

export const CreatedListing = Type.Object(
  { listingId: Type.String(), status: Type.Literal("draft") },
  { additionalProperties: false, examples: [{ listingId: "lst_01J9Z3Q5W8", status: "draft" }] },
);

/** The answer to a lifecycle command: where the listing now stands. */
export const ListingTransition = Type.Object(
  { listingId: Type.String(), status: ListingStatus, courseVersionId: Type.String() },
  { additionalProperties: false },
);

export const PlanVersionCreated = Type.Object(
  { planId: Type.String(), version: Type.Integer({ minimum: 1 }) },
  { additionalProperties: false, examples: [{ planId: "pln_01J9Z3R2KD", version: 1 }] },
);
