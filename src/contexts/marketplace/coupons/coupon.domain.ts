import { ok, type Result } from "../../../platform/result.js";
import { reject } from "../errors.js";

/** A coupon's terms (API.md POST /coupons). Exactly one of percentOff / amountOff. */
export interface Coupon {
  couponId: string;
  code: string;
  percentOff: number | null;
  amountOff: number | null;
  currency: string | null;
  maxRedemptions: number | null;
  maxPerUser: number | null;
  validFrom: Date | null;
  validUntil: Date | null;
  tenantIds: string[];
  listingIds: string[];
  minOrderAmount: number | null;
  providerId: string | null;
}

export interface CouponUse {
  now: Date;
  tenantId: string;
  listingIds: string[];
  subtotal: number;
  currency: string;
}

/**
 * The rules that do not depend on how often the coupon was used. Usage caps are decided by the
 * database when the redemption is reserved (one conditional UPDATE), never here.
 */
export function checkCoupon(coupon: Coupon, use: CouponUse): Result<{ discount: number }> {
  if (coupon.validFrom && use.now < coupon.validFrom)
    return reject("COUPON.NOT_YET_VALID", `coupon ${coupon.code} is valid from ${coupon.validFrom.toISOString()}`, "body/couponCode");
  if (coupon.validUntil && use.now >= coupon.validUntil)
    return reject("COUPON.EXPIRED", `coupon ${coupon.code} expired`, "body/couponCode");
  if (coupon.tenantIds.length > 0 && !coupon.tenantIds.includes(use.tenantId))
    return reject("COUPON.NOT_APPLICABLE", "this coupon is not offered to your organization", "body/couponCode");
  if (coupon.listingIds.length > 0 && !use.listingIds.some((id) => coupon.listingIds.includes(id)))
    return reject("COUPON.NOT_APPLICABLE", "this coupon does not apply to these listings", "body/couponCode");
  if (coupon.amountOff !== null && coupon.currency !== use.currency)
    return reject("COUPON.CURRENCY_MISMATCH", `coupon ${coupon.code} is in ${coupon.currency}`, "body/couponCode");
  if (coupon.minOrderAmount !== null && use.subtotal < coupon.minOrderAmount)
    return reject("COUPON.MINIMUM_NOT_MET", `coupon ${coupon.code} needs an order of at least ${coupon.minOrderAmount}`, "body/couponCode");
  return ok({ discount: discountOf(coupon, use.subtotal) });
}

/** Percent discounts round down to the minor unit (the buyer never gets more than promised). */
export function discountOf(coupon: Pick<Coupon, "percentOff" | "amountOff">, subtotal: number): number {
  if (coupon.percentOff !== null) return Math.floor((subtotal * coupon.percentOff) / 100);
  return Math.min(coupon.amountOff ?? 0, subtotal);
}

export interface CouponDraft {
  percentOff?: number;
  amountOff?: number;
  currency?: string;
  validFrom?: Date;
  validUntil?: Date;
}

export function checkCouponDraft(draft: CouponDraft): Result<null> {
  if ((draft.percentOff === undefined) === (draft.amountOff === undefined))
    return reject("COUPON.TERMS_INVALID", "give exactly one of percentOff or amountOff", "body/percentOff");
  if (draft.amountOff !== undefined && !draft.currency)
    return reject("COUPON.TERMS_INVALID", "an amountOff coupon needs a currency", "body/currency");
  if (draft.validFrom && draft.validUntil && draft.validUntil <= draft.validFrom)
    return reject("COUPON.TERMS_INVALID", "validUntil must be after validFrom", "body/validUntil");
  return ok(null);
}
