import { marketplaceListingEvents } from "../../contracts/marketplace-listings.js";
import { marketplaceOrderEvents } from "../../contracts/marketplace-orders.js";
import { marketplaceSubscriptionEvents } from "../../contracts/marketplace-subscriptions.js";
import type { Clock } from "../../platform/clock.js";
import type { ContextModule } from "../../platform/module.js";
import { marketplaceApi, type MarketplaceApi } from "./api.js";
import { browseRoutes } from "./browse/browse.routes.js";
import { marketplaceErrors } from "./errors.js";
import { listingFactConsumers } from "./listings/listing-facts.consumers.js";
import { listingRoutes } from "./listings/listings.routes.js";
import { planRoutes } from "./listings/plans.routes.js";
import { installOrders, type OrdersOptions } from "./orders/install-orders.js";
import type { MarketplacePorts } from "./ports.js";
import { refundPolicyRoutes } from "./refund-policies/refund-policies.routes.js";
import { installRefunds } from "./refunds/install-refunds.js";
import { installPayouts } from "./payouts/install-payouts.js";
import { installSeats } from "./seats/install-seats.js";
import { DEFAULT_DUNNING } from "./subscriptions/subscription.domain.js";

/** The ports this context owns, for the composition root to implement (src/wiring.ts). */
export type {
  BuyerPoliciesPort,
  BuyerPolicy,
  CatalogPort,
  EnrollmentRequest,
  EnrollmentsPort,
  MarketplacePorts,
  PaymentsPort,
  ProvidersPort,
} from "./ports.js";
export type { OrdersOptions };
export { DEFAULT_DUNNING } from "./subscriptions/subscription.domain.js";

export interface MarketplaceModuleDeps {
  clock: Clock;
  /**
   * The lookups into other contexts, built when the module is installed (the composition root's
   * adapters use the APIs of modules installed before this one).
   */
  ports: () => MarketplacePorts;
  options?: OrdersOptions;
}

export interface MarketplaceModule extends ContextModule {
  readonly api: MarketplaceApi;
}

/**
 * The marketplace context: listings, plans, refund policies, browse, and the purchase flow
 * (orders, coupons, licenses, revenue share) with the ports it owns wired by the composition root.
 */
export function marketplaceModule(deps: MarketplaceModuleDeps): MarketplaceModule {
  return {
    name: "marketplace",
    api: marketplaceApi(deps.clock),
    events: [...marketplaceListingEvents, ...marketplaceOrderEvents, ...marketplaceSubscriptionEvents],
    errors: marketplaceErrors,
    install(host) {
      const wired = deps.ports();
      refundPolicyRoutes(host);
      listingRoutes(host, wired);
      planRoutes(host);
      browseRoutes(host);
      listingFactConsumers(host.kernel);
      installOrders(host, wired, deps.options ?? {});
      installRefunds(host, wired);
      installPayouts(host);
      installSeats(host, wired, { renewalLockMs: (deps.options?.dunning ?? DEFAULT_DUNNING).seatLockMs });
    },
  };
}
