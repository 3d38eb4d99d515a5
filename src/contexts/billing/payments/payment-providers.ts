import type { PaymentProvider } from "./payment-provider.js";
import { SandboxProvider } from "./sandbox-provider.js";
import { StripeProvider, stripeClient, type StripeSettings } from "./stripe-provider.js";

/** The provider name recorded on wallet intents (no external provider moves that money). */
export const WALLET_PROVIDER = "wallet";

/**
 * Which provider takes card payments, and how to reach the one an older intent was made with.
 * The sandbox is only present when Stripe is not configured: in production `tok_visa` must not pay.
 */
export class PaymentProviders {
  private readonly byName = new Map<string, PaymentProvider>();

  constructor(
    readonly card: PaymentProvider,
    others: PaymentProvider[] = [],
  ) {
    for (const provider of [card, ...others]) this.byName.set(provider.name, provider);
  }

  static fromSettings(settings: { stripe?: StripeSettings }): PaymentProviders {
    return new PaymentProviders(settings.stripe ? new StripeProvider(stripeClient(settings.stripe)) : new SandboxProvider());
  }

  named(name: string): PaymentProvider {
    const provider = this.byName.get(name);
    if (!provider) throw new Error(`payment provider ${name} is not configured in this process`);
    return provider;
  }
}
