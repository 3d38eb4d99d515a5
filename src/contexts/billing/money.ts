import type { BillingRejection } from "./errors.js";

/**
 * Billing's own minimal money guard (the platform money module with its ISO 4217 table is being
 * written separately). Amounts are integer minor units — never floats — and fit a bigint column.
 */
export interface Money {
  amount: number;
  currency: string;
}

export function moneyRejection(amount: number, currency: string, options: { allowZero?: boolean } = {}): BillingRejection | null {
  if (!Number.isSafeInteger(amount) || amount < 0 || (amount === 0 && !options.allowZero)) {
    return { code: "BILLING.AMOUNT_INVALID", detail: "amount must be a positive integer number of minor units", field: "amount" };
  }
  if (!/^[A-Z]{3}$/.test(currency))
    return { code: "BILLING.CURRENCY_INVALID", detail: "currency must be an ISO 4217 code such as USD", field: "currency" };
  return null;
}
