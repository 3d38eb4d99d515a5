import { marketplaceListingEvents } from "../../contracts/marketplace-listings.js";
import { marketplaceOrderEvents } from "../../contracts/marketplace-orders.js";
import type { Kernel } from "../../platform/kernel.js";
import type { ContextModule } from "../../platform/module.js";
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

/**
 * The marketplace context: listings, plans, refund policies, browse, and the purchase flow
 * (orders, coupons, licenses, revenue share) with the ports it owns wired by the composition root.
 */
export function marketplaceModule(
  ports: (kernel: Kernel) => MarketplacePorts,
  options: (kernel: Kernel) => OrdersOptions = () => ({}),
): ContextModule {
  return {
    name: "marketplace",
    events: [...marketplaceListingEvents, ...marketplaceOrderEvents],
    errors: marketplaceErrors,
    install(host) {
      const wired = ports(host.kernel);
      refundPolicyRoutes(host);
      listingRoutes(host, wired);
      planRoutes(host);
      browseRoutes(host);
      listingFactConsumers(host.kernel);
      installOrders(host, wired, options(host.kernel));
      installRefunds(host, wired);
      installPayouts(host);
      installSeats(host, wired);
    },
  };
}
