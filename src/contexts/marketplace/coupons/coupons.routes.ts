import { Type } from "@sinclair/typebox";
import { hasRole } from "../../../platform/http/auth.js";
import { AmountInput, Id } from "../../../platform/http/schemas.js";
import { Json } from "../../../platform/http/openapi.js";
import { authorize, principalOf } from "../../../platform/http/server.js";
import { newId } from "../../../platform/ids.js";
import { checkMoney } from "../../../platform/money.js";
import type { ModuleHost } from "../../../platform/module.js";
import { RejectionError, unwrap } from "../../../platform/result.js";
import { refuse } from "../errors.js";
import { checkCouponDraft, type Coupon } from "./coupon.domain.js";
import { insertCoupon } from "./coupons.sql.js";

const CouponBody = Type.Object(
  {
    code: Type.String({ pattern: "^[A-Za-z0-9_-]{3,64}$" }),
    percentOff: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })),
    amountOff: Type.Optional(AmountInput(1)),
    currency: Type.Optional(Type.String({ pattern: "^[A-Z]{3}$" })),
    maxRedemptions: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000_000_000 })),
    maxPerUser: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000_000_000 })),
    validFrom: Type.Optional(Type.String({ format: "date-time" })),
    validUntil: Type.Optional(Type.String({ format: "date-time" })),
    tenantIds: Type.Optional(Type.Array(Id, { maxItems: 1000 })),
    listingIds: Type.Optional(Type.Array(Id, { maxItems: 1000 })),
    minOrderAmount: Type.Optional(AmountInput(0)),
  },
  {
    additionalProperties: false,
    examples: [{ code: "SPRING25", percentOff: 25, maxRedemptions: 500, validUntil: "2026-06-01T00:00:00Z" }],
  },
);

const CreatedCoupon = Type.Object(
  { couponId: Type.String(), code: Type.String() },
  { additionalProperties: false, examples: [{ couponId: "cpn_01J9Z5D4", code: "SPRING25" }] },
);

export function couponRoutes({ kernel, server, authenticator }: ModuleHost): void {
  server.post(
    "/api/v1/coupons",
    {
      preValidation: authorize(authenticator, "platform_admin", "provider"),
      schema: {
        tags: ["coupons"],
        operationId: "createCoupon",
        summary: "Create a coupon",
        description:
          "A platform admin creates a coupon for any listing; a provider only for its own listings, which it must name (400 " +
          "COUPON.LISTINGS_REQUIRED, 403 for another provider's listing). Exactly one of percentOff or amountOff (with its currency); a code already in use " +
          "is 409 COUPON.CODE_TAKEN. Buyers redeem it by code when placing an order.",
        security: [{ bearer: [] }],
        body: CouponBody,
        response: { 201: Json(CreatedCoupon, "The coupon") },
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      const body = request.body;
      const validFrom = body.validFrom ? new Date(body.validFrom) : undefined;
      const validUntil = body.validUntil ? new Date(body.validUntil) : undefined;
      unwrap(checkCouponDraft({ ...body, validFrom, validUntil }));
      if (body.amountOff !== undefined) {
        const money = checkMoney(body.amountOff, body.currency!, "body/amountOff");
        if (money) throw new RejectionError(money);
      }
      const admin = hasRole(principal, "platform_admin");
      const coupon: Coupon = {
        couponId: newId("cpn"),
        code: body.code,
        percentOff: body.percentOff ?? null,
        amountOff: body.amountOff ?? null,
        currency: body.currency ?? null,
        maxRedemptions: body.maxRedemptions ?? null,
        maxPerUser: body.maxPerUser ?? null,
        validFrom: validFrom ?? null,
        validUntil: validUntil ?? null,
        tenantIds: body.tenantIds ?? [],
        listingIds: body.listingIds ?? [],
        minOrderAmount: body.minOrderAmount ?? null,
        providerId: admin ? null : (principal.providerId ?? null),
      };
      await kernel.db.tx(async (tx) => {
        if (!admin) {
          // A provider discounts only its own listings, and must name them.
          if (!principal.providerId || coupon.listingIds.length === 0)
            throw refuse({
              code: "COUPON.LISTINGS_REQUIRED",
              detail: "a provider's coupon names the listings it applies to",
              field: "body/listingIds",
            });
          const owned = await tx.query<{ n: number }>(
            `SELECT count(*)::int AS n FROM marketplace.listings WHERE listing_id = ANY($1::text[]) AND provider_id = $2`,
            [coupon.listingIds, principal.providerId],
          );
          if (owned.rows[0]!.n !== new Set(coupon.listingIds).size)
            throw refuse({ code: "AUTH.FORBIDDEN", detail: "a provider may only discount its own listings" });
        }
        if (!(await insertCoupon(tx, coupon, kernel.clock.now())))
          throw refuse({ code: "COUPON.CODE_TAKEN", detail: `coupon code ${coupon.code} exists`, field: "body/code" });
      });
      return reply.code(201).send({ couponId: coupon.couponId, code: coupon.code });
    },
  );
}
