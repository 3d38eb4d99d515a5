import { expect } from "vitest";
import { buy, liveOffer, order, type Offer, type Shop } from "../orders/purchase-support.js";
import { call } from "../support/test-app.js";

export const DAY_MS = 86_400_000;

let seq = 0;

/** A refund policy of `days` days, and a live offer whose listing carries it. */
export async function refundableOffer(
  shop: Shop,
  plan: Record<string, unknown> = { kind: "one_time", amount: 4900, currency: "USD" },
  days = 14,
): Promise<Offer> {
  const policy = await shop.http("POST", "/api/v1/refund-policies", {
    token: shop.admin,
    body: { name: `${days} days ${++seq}`, type: "standard", refundPeriodDays: days },
  });
  expect(policy.status, JSON.stringify(policy.body)).toBe(201);
  return liveOffer(shop, plan, { refundPolicyId: policy.body.policyId });
}

/** Catalog offers audit by default; a refund of such a course leaves audit access (seed 003). This course offers none. */
export async function withoutAudit(shop: Shop, courseId: string): Promise<void> {
  const changed = await call(shop.t.app, "PATCH", `/api/v1/catalog/courses/${courseId}`, {
    token: shop.admin,
    body: { auditAvailable: false },
  });
  expect(changed.status, JSON.stringify(changed.body)).toBe(200);
}

/** Buys and waits until the order is fulfilled. */
export async function fulfilled(shop: Shop, offer: Offer, options: Parameters<typeof buy>[2] = {}) {
  const placed = await buy(shop, offer, options);
  expect(placed.status, JSON.stringify(placed.body)).toBe(201);
  // On NATS a consumer may still be applying the last step when settle() sees the bus empty: look until fulfilled.
  let view = await order(shop, placed.body.orderId);
  for (let i = 0; i < 100 && view.status !== "fulfilled"; i++) {
    await shop.t.settle();
    await new Promise((resolve) => setTimeout(resolve, 50));
    view = await order(shop, placed.body.orderId);
  }
  expect(view.status).toBe("fulfilled");
  return view;
}

export const refund = (
  shop: Shop,
  orderId: string,
  body: Record<string, unknown> = { reason: "changed my mind" },
  options: { token?: string; key?: string } = {},
) =>
  shop.http("POST", `/api/v1/orders/${orderId}/refund`, {
    token: options.token ?? shop.buyer,
    body,
    ...(options.key ? { headers: { "idempotency-key": options.key } } : {}),
  });

export const assignSeats = (shop: Shop, licenseId: string, userIds: string[]) =>
  shop.http("POST", `/api/v1/licenses/${licenseId}/seats`, { token: shop.orgAdmin, body: { userIds } });

export async function waitFor(check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error("condition not reached");
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
