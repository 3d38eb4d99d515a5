import type { ContextModule } from "./platform/module.js";
import { enrollment } from "./contexts/enrollment/module.js";
import { billingModule } from "./contexts/billing/module.js";

/** The bounded contexts this build runs, in start-up order. */
export const contextModules: ContextModule[] = [enrollment, billingModule()];
