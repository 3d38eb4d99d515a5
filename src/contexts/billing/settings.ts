import { parseTaxRates, type TaxRateTable } from "./tax/tax.domain.js";
import type { StripeSettings } from "./payments/stripe-provider.js";

/**
 * Billing's settings, read from the environment (listed in the README):
 * STRIPE_SECRET_KEY (set: card payments go to Stripe; unset: the sandbox), STRIPE_WEBHOOK_SECRET,
 * STRIPE_API_BASE (stripe-mock / test double), BILLING_TAX_RATES (JSON country → basis points),
 * BILLING_POLL_MS (how often due payment checks are claimed; default 250).
 */
export interface BillingSettings {
  stripe?: StripeSettings;
  stripeWebhookSecret?: string;
  taxRates: TaxRateTable;
  pollMs: number;
}

const text = (env: NodeJS.ProcessEnv, name: string) => (env[name] && env[name] !== "" ? env[name] : undefined);

export function loadBillingSettings(env: NodeJS.ProcessEnv = process.env): BillingSettings {
  const secretKey = text(env, "STRIPE_SECRET_KEY");
  const pollMs = Number(text(env, "BILLING_POLL_MS") ?? 250);
  if (!Number.isInteger(pollMs) || pollMs <= 0) throw new Error("BILLING_POLL_MS must be a positive integer");
  return {
    ...(secretKey ? { stripe: { secretKey, apiBase: text(env, "STRIPE_API_BASE") } } : {}),
    stripeWebhookSecret: text(env, "STRIPE_WEBHOOK_SECRET"),
    taxRates: parseTaxRates(text(env, "BILLING_TAX_RATES")),
    pollMs,
  };
}
