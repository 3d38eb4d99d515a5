import { marketplaceListingEvents } from "../../contracts/marketplace-listings.js";
import { marketplaceOrderEvents } from "../../contracts/marketplace-orders.js";
import type { Kernel } from "../../platform/kernel.js";
import type { ContextModule } from "../../platform/module.js";
import { browseErrors, browseRoutes } from "./browse/browse.routes.js";
import { listingErrors } from "./listings/listing.domain.js";
import { listingFactConsumers } from "./listings/listing-facts.consumers.js";
import { listingRoutes } from "./listings/listings.routes.js";
import { installOrders, orderErrors, type OrdersOptions } from "./orders/install-orders.js";
import { planErrors } from "./plans/plan.domain.js";
import { planRoutes } from "./plans/plans.routes.js";
import type { MarketplacePorts } from "./ports.js";
import { refundPolicyErrors } from "./refund-policies/refund-policy.domain.js";
import { refundPolicyRoutes } from "./refund-policies/refund-policies.routes.js";
import { installRefunds, refundErrors } from "./refunds/install-refunds.js";
import { installPayouts, payoutErrors } from "./payouts/install-payouts.js";
import { installSeats, seatErrors } from "./seats/install-seats.js";

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
    errors: {
      ...listingErrors,
      ...planErrors,
      ...refundPolicyErrors,
      ...browseErrors,
      ...orderErrors,
      ...refundErrors,
      ...payoutErrors,
      ...seatErrors,
    },
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
