import type { ContextModule } from "./platform/module.js";
import { enrollment } from "./contexts/enrollment/module.js";
import { billingModule } from "./contexts/billing/module.js";
import { tenancyModule } from "./contexts/tenancy/module.js";
import { catalogModule } from "./contexts/catalog/module.js";
import { marketplaceModule } from "./contexts/marketplace/module.js";

/** The bounded contexts this build runs, in start-up order. */
export const contextModules: ContextModule[] = [tenancyModule, catalogModule, marketplaceModule, enrollment, billingModule()];
