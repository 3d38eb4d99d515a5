import { billingEvents } from "../../contracts/billing.js";
import type { Kernel } from "../../platform/kernel.js";
import type { ContextModule } from "../../platform/module.js";
import { Poller } from "../../platform/poller.js";
import { BillingApi } from "./billing-api.js";
import { billingErrors } from "./errors.js";
import { PaymentProviders } from "./payments/payment-providers.js";
import { paymentRoutes } from "./payments/payments.routes.js";
import { loadBillingSettings, type BillingSettings } from "./settings.js";
import { walletRoutes } from "./wallet/wallets.routes.js";
import { stripeWebhookRoutes } from "./webhooks/stripe-webhooks.routes.js";

export interface BillingModule extends ContextModule {
  /**
   * The application API bound to one app's kernel: the one its routes, its payment-check poller and
   * the marketplace's billing port all use, so they share one set of providers.
   */
  api(kernel: Kernel): BillingApi;
}

/** The billing bounded context: payment intents, providers, the learner-credit wallet, tax reference. */
export function billingModule(): BillingModule {
  const byKernel = new WeakMap<Kernel, { api: BillingApi; settings: BillingSettings }>();
  const bound = (kernel: Kernel) => {
    let entry = byKernel.get(kernel);
    if (!entry) {
      const settings = loadBillingSettings();
      byKernel.set(
        kernel,
        (entry = {
          api: new BillingApi(kernel, { providers: PaymentProviders.fromSettings(settings), taxRates: settings.taxRates }),
          settings,
        }),
      );
    }
    return entry;
  };
  return {
    name: "billing",
    events: billingEvents,
    errors: billingErrors,
    api: (kernel) => bound(kernel).api,
    async install({ kernel, server, authenticator }) {
      const { api, settings } = bound(kernel);
      paymentRoutes(server, api, authenticator);
      walletRoutes(server, api, authenticator);
      await stripeWebhookRoutes(server, kernel, settings.stripeWebhookSecret);
      const checks = new Poller("billing.payment-checks", settings.pollMs, () => api.checkDuePayments(), kernel.logger);
      api.onSubmissionDue(() => checks.wake());
      kernel.pollers.push(checks);
    },
  };
}
