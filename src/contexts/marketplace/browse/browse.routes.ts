import { Type } from "@sinclair/typebox";
import { PlanKind } from "../../../contracts/marketplace-listings.js";
import type { ModuleHost } from "../../../platform/module.js";
import { refuse } from "../errors.js";
import { decodeCursor, encodeCursor } from "./browse-cursor.domain.js";
import { browseLiveListings } from "./browse.sql.js";
import { Cursor, CurrencyCode, Id, MinorUnits, Nullable } from "../../../platform/http/schemas.js";

const Price = Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER });

/** A plan's current terms as browse shows them (the listing row's copy, marketplace.listings.current_plans). */
const BrowsePlanView = Type.Object(
  {
    planId: Type.String(),
    kind: PlanKind,
    version: Type.Integer({ minimum: 1 }),
    amount: MinorUnits("the current version's price, in minor units"),
    currency: CurrencyCode,
    seats: Nullable(Type.Integer()),
    interval: Nullable(Type.Union([Type.Literal("month"), Type.Literal("year")])),
    validityDays: Nullable(Type.Integer()),
    perpetualOffline: Type.Boolean(),
  },
  { additionalProperties: false },
);

const BrowsePage = Type.Object(
  {
    items: Type.Array(
      Type.Object(
        {
          listingId: Type.String(),
          providerId: Type.String(),
          courseId: Type.String(),
          courseVersionId: Type.String(),
          title: Type.String(),
          description: Type.String(),
          refundPolicyId: Nullable(Type.String()),
          rank: Type.Number({ description: "full-text relevance to q (0 without q); pages are ordered by it, then by listingId" }),
          plans: Type.Array(BrowsePlanView, { description: "the current version of each plan, oldest plan first" }),
        },
        { additionalProperties: false },
      ),
    ),
    nextCursor: Nullable(Type.String()),
  },
  { additionalProperties: false },
);

/** GET /api/v1/marketplace/listings: public discovery of live listings, no token needed. */
export function browseRoutes({ kernel, server }: ModuleHost): void {
  server.get(
    "/api/v1/marketplace/listings",
    {
      schema: {
        tags: ["marketplace"],
        operationId: "browseListings",
        summary: "Browse live listings: full-text search on title and description, plan filters, cursor pages",
        description:
          "Public (no token): live listings only. `q` searches title and description (ranked); kind, currency and the price bounds filter on " +
          "one plan's current terms together; minPrice/maxPrice need a currency (400 BROWSE.CURRENCY_REQUIRED).",
        security: [],
        querystring: Type.Object(
          {
            q: Type.Optional(Type.String({ maxLength: 200 })),
            kind: Type.Optional(PlanKind),
            currency: Type.Optional(Type.String({ pattern: "^[A-Z]{3}$" })),
            providerId: Type.Optional(Id),
            minPrice: Type.Optional(Price),
            maxPrice: Type.Optional(Price),
            limit: Type.Integer({ minimum: 1, maximum: 100, default: 20 }),
            cursor: Type.Optional(Cursor(500)),
          },
          { additionalProperties: false },
        ),
        response: { 200: BrowsePage },
      },
    },
    async (request) => {
      const { q, cursor, limit, ...filters } = request.query;
      // Prices compare minor units, which only mean something within one currency.
      if ((filters.minPrice !== undefined || filters.maxPrice !== undefined) && filters.currency === undefined) {
        throw refuse({
          code: "BROWSE.CURRENCY_REQUIRED",
          detail: "minPrice and maxPrice need a currency",
          field: "querystring/currency",
        });
      }
      const after = cursor === undefined ? undefined : decodeCursor(cursor);
      if (after === null)
        throw refuse({
          code: "BROWSE.CURSOR_INVALID",
          detail: "the cursor was not issued by this endpoint",
          field: "querystring/cursor",
        });
      const text = q?.trim();
      const rows = await browseLiveListings(kernel.db, { ...filters, ...(text ? { q: text } : {}), after, limit: limit + 1 });
      const page = rows.slice(0, limit);
      const last = page[page.length - 1];
      return {
        items: page,
        nextCursor: rows.length > limit && last ? encodeCursor({ rank: last.rank, listingId: last.listingId }) : null,
      };
    },
  );
}
