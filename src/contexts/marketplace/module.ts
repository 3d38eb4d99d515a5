import { marketplaceListingEvents } from "../../contracts/marketplace-listings.js";
import type { ContextModule } from "../../platform/module.js";
import { browseErrors, browseRoutes } from "./browse/browse.routes.js";
import { listingErrors } from "./listings/listing.js";
import { listingFactConsumers } from "./listings/listing-facts.consumers.js";
import { listingRoutes } from "./listings/listings.routes.js";
import { planErrors } from "./plans/plan.js";
import { planRoutes } from "./plans/plans.routes.js";
import { refundPolicyErrors } from "./refund-policies/refund-policy.js";
import { refundPolicyRoutes } from "./refund-policies/refund-policies.routes.js";

/** The marketplace context: listings, plans, refund policies, browse (orders and licensing join later). */
export const marketplaceModule: ContextModule = {
  name: "marketplace",
  events: [...marketplaceListingEvents],
  errors: { ...listingErrors, ...planErrors, ...refundPolicyErrors, ...browseErrors },
  install(host) {
    refundPolicyRoutes(host);
    listingRoutes(host);
    planRoutes(host);
    browseRoutes(host);
    listingFactConsumers(host.kernel);
  },
};
