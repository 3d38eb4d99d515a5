import type { BillingApi } from "../../src/contexts/billing/api.js";
import type { TestApp } from "../support/test-app.js";

/** What the Stripe submission tests (payments and refunds) share. */

export async function until<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** A Stripe card payment for `orderId` (25.00 EUR with pm_card_visa unless told otherwise), not yet submitted. */
export function stripePayment(
  api: BillingApi,
  orderId: string,
  options: { amount?: number; currency?: string; token?: string; idempotencyKey?: string } = {},
) {
  return api.processPayment({
    orderId,
    buyerUserId: "usr_b",
    tenantId: "ten_1",
    amount: options.amount ?? 2500,
    currency: options.currency ?? "EUR",
    method: { method: "card", token: options.token ?? "pm_card_visa" },
    correlationId: orderId,
    idempotencyKey: options.idempotencyKey ?? `k_${orderId}`,
  });
}

/** A 25.00 EUR Stripe payment for `orderId`, submitted by one pass of the payment worker. */
export async function paidByStripe(api: BillingApi, orderId: string) {
  const payment = await stripePayment(api, orderId);
  await api.checkDuePayments();
  return payment;
}

export async function workerOverADay(t: TestApp, api: BillingApi, calls: () => number): Promise<number[]> {
  await api.checkDuePayments();
  t.clock.advance(30_000);
  await api.checkDuePayments();
  const second = calls();
  t.clock.advance(23 * 3_600_000 - 90_000);
  await api.checkDuePayments();
  const justBefore = calls();
  t.clock.advance(120_000);
  await api.checkDuePayments();
  return [second, justBefore, calls()];
}
