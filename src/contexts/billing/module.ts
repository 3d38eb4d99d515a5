import { billingEvents } from "../../contracts/billing.js";
import { BoundAtInstall, type ContextModule } from "../../platform/module.js";
import { Poller } from "../../platform/poller.js";
import { BillingApi } from "./api.js";
import { billingErrors } from "./errors.js";
import { nextPaymentDue } from "./payments/due-times.sql.js";
import { PaymentProviders } from "./payments/payment-providers.js";
import { paymentRoutes } from "./payments/payments.routes.js";
import { loadBillingSettings } from "./settings.js";
import { walletRoutes } from "./wallet/wallets.routes.js";
import { stripeWebhookRoutes } from "./webhooks/stripe-webhooks.routes.js";

export interface BillingModule extends ContextModule {
  /**
   * The application API bound to this app's kernel (from install on): the one its routes, its
   * payment-check poller and the marketplace's billing port all use, so they share one set of providers.
   */
  readonly api: BillingApi;
}

/** The billing bounded context: payment intents, providers, the learner-credit wallet, tax reference. */
export function billingModule(deps: { env?: NodeJS.ProcessEnv } = {}): BillingModule {
  const bound = new BoundAtInstall<BillingApi>("billing's API");
  return {
    name: "billing",
    events: billingEvents,
    errors: billingErrors,
    get api() {
      return bound.get();
    },
    async install({ kernel, server, authenticator }) {
      const settings = loadBillingSettings(deps.env);
      const api = bound.bind(new BillingApi(kernel, { providers: PaymentProviders.fromSettings(settings), taxRates: settings.taxRates }));
      paymentRoutes(server, api, authenticator);
      walletRoutes(server, api, authenticator);
      await stripeWebhookRoutes(server, kernel, settings.stripeWebhookSecret);
      const checks = new Poller("billing.payment-checks", settings.pollMs, () => api.checkDuePayments(), kernel.logger, {
        nextDue: () => nextPaymentDue(kernel.db),
      });
      api.onSubmissionDue(() => checks.wake());
      kernel.pollers.push(checks);
    },
  };
}
