import { expect } from "vitest";
import { buy, liveOffer, order, type Offer, type Shop } from "../orders/purchase-support.js";

export interface SeatPack {
  offer: Offer;
  licenseId: string;
  orderId: string;
}

/** A live seat-pack listing bought by the shop's org admin (tenant ten_buyer) with `seats` seats, fulfilled. */
export async function seatPack(shop: Shop, seats: number, plan: Record<string, unknown> = {}): Promise<SeatPack> {
  const offer = await liveOffer(shop, { kind: "seat_pack", amount: 100, currency: "USD", seats: 1, ...plan });
  const placed = await buy(shop, offer, { token: shop.orgAdmin, quantity: seats });
  expect(placed.status, JSON.stringify(placed.body)).toBe(201);
  await shop.t.settle();
  const view = await order(shop, placed.body.orderId);
  expect(view.status).toBe("fulfilled");
  return { offer, licenseId: view.licenseIds[0], orderId: view.orderId };
}

export const users = (prefix: string, count: number) => Array.from({ length: count }, (_, i) => `usr_${prefix}_${i}`);

export const assign = (shop: Shop, licenseId: string, userIds: string[], options: { token?: string; key?: string } = {}) =>
  shop.http("POST", `/api/v1/licenses/${licenseId}/seats`, {
    token: options.token ?? shop.orgAdmin,
    body: { userIds },
    ...(options.key ? { headers: { "idempotency-key": options.key } } : {}),
  });

export const release = (shop: Shop, licenseId: string, seatAssignmentId: string, token?: string) =>
  shop.http("DELETE", `/api/v1/licenses/${licenseId}/seats/${seatAssignmentId}`, { token: token ?? shop.orgAdmin });

export async function license(shop: Shop, licenseId: string) {
  const response = await shop.http("GET", `/api/v1/licenses/${licenseId}`, { token: shop.admin });
  expect(response.status).toBe(200);
  return response.body;
}
