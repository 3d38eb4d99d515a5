import type { Sql } from "../../../platform/db/db.js";
import type { Coupon } from "./coupon.domain.js";

const COLUMNS = `coupon_id AS "couponId", code, percent_off AS "percentOff", amount_off AS "amountOff", currency, max_redemptions AS "maxRedemptions",
  max_per_user AS "maxPerUser", valid_from AS "validFrom", valid_until AS "validUntil", tenant_ids AS "tenantIds", listing_ids AS "listingIds",
  min_order_amount AS "minOrderAmount", provider_id AS "providerId"`;

export async function insertCoupon(sql: Sql, coupon: Coupon, at: Date): Promise<boolean> {
  const result = await sql.query(
    `INSERT INTO marketplace.coupons (coupon_id, code, percent_off, amount_off, currency, max_redemptions, max_per_user, valid_from, valid_until,
       tenant_ids, listing_ids, min_order_amount, provider_id, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) ON CONFLICT (code) DO NOTHING`,
    [
      coupon.couponId,
      coupon.code,
      coupon.percentOff,
      coupon.amountOff,
      coupon.currency,
      coupon.maxRedemptions,
      coupon.maxPerUser,
      coupon.validFrom,
      coupon.validUntil,
      coupon.tenantIds,
      coupon.listingIds,
      coupon.minOrderAmount,
      coupon.providerId,
      at,
    ],
  );
  return result.rowCount === 1;
}

export async function couponByCode(sql: Sql, code: string): Promise<(Coupon & { redeemed: number }) | null> {
  const result = await sql.query<Coupon & { redeemed: number }>(`SELECT ${COLUMNS}, redeemed FROM marketplace.coupons WHERE code = $1`, [
    code,
  ]);
  const row = result.rows[0];
  return row
    ? { ...row, validFrom: row.validFrom && new Date(row.validFrom), validUntil: row.validUntil && new Date(row.validUntil) }
    : null;
}

/**
 * Invariant 6: the global cap is one conditional UPDATE, which also locks the coupon row; the
 * per-user count is read under that lock, so concurrent orders for one coupon are decided one at a time.
 */
export async function reserveRedemption(
  sql: Sql,
  coupon: { couponId: string; maxPerUser: number | null },
  orderId: string,
  buyer: { tenantId: string; userId: string },
  at: Date,
): Promise<"reserved" | "exhausted" | "user_limit"> {
  const taken = await sql.query(
    `UPDATE marketplace.coupons SET redeemed = redeemed + 1
      WHERE coupon_id = $1 AND (max_redemptions IS NULL OR redeemed < max_redemptions) RETURNING redeemed`,
    [coupon.couponId],
  );
  if (taken.rowCount === 0) return "exhausted";
  if (coupon.maxPerUser !== null) {
    // Counted across tenants (a buyer in two organisations has one limit), which this
    // transaction's row-level security scope cannot see: the function answers the count only.
    const mine = await sql.query<{ n: number }>(`SELECT marketplace.reserved_redemptions($1, $2) AS n`, [coupon.couponId, buyer.userId]);
    if (mine.rows[0]!.n >= coupon.maxPerUser) return "user_limit";
  }
  await sql.query(
    `INSERT INTO marketplace.coupon_redemptions (order_id, tenant_id, coupon_id, user_id, status, updated_at) VALUES ($1, $2, $3, $4, 'reserved', $5)`,
    [orderId, buyer.tenantId, coupon.couponId, buyer.userId, at],
  );
  return "reserved";
}

/** Compensation: gives the redemption back, once. */
export async function releaseRedemption(sql: Sql, orderId: string, at: Date): Promise<void> {
  const released = await sql.query<{ coupon_id: string }>(
    `UPDATE marketplace.coupon_redemptions SET status = 'released', updated_at = $2 WHERE order_id = $1 AND status = 'reserved' RETURNING coupon_id`,
    [orderId, at],
  );
  if (released.rows[0])
    await sql.query(`UPDATE marketplace.coupons SET redeemed = redeemed - 1 WHERE coupon_id = $1`, [released.rows[0].coupon_id]);
}
