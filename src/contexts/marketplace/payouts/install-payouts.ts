import type { ModuleHost } from "../../../platform/module.js";
import { recordingPayoutAdapter, type PayoutAdapter } from "./payout-adapters.js";
import { payoutRoutes } from "./payouts.routes.js";

export interface PayoutsOptions {
  /** Where batches go: record-only by default; StripeConnectPayoutAdapter moves money with Stripe Connect. */
  adapter?: PayoutAdapter;
}

/** Payout runs and provider earnings. */
export function installPayouts(host: ModuleHost, options: PayoutsOptions = {}): void {
  payoutRoutes(host, options.adapter ?? recordingPayoutAdapter);
}
