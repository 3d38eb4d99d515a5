import type { Clock } from "./platform/clock.js";
import type { ContextModule } from "./platform/module.js";
import { billingModule, type BillingModule } from "./contexts/billing/module.js";
import { catalogModule, type CatalogModule } from "./contexts/catalog/module.js";
import { enrollmentModule, type EnrollmentModule } from "./contexts/enrollment/module.js";
import { marketplaceModule, type MarketplaceModule } from "./contexts/marketplace/module.js";
import { tenancyModule, type TenancyModule } from "./contexts/tenancy/module.js";
import { enrollmentPorts, marketplacePorts, type WiringOverrides } from "./wiring.js";

const ms = (value: string | undefined, fallback: number) => (value && /^\d+$/.test(value) ? Number(value) : fallback);

/** One app's bounded contexts, each with its public API (tests reach a context through `app.contexts`). */
export interface Contexts {
  tenancy: TenancyModule;
  catalog: CatalogModule;
  billing: BillingModule;
  enrollment: EnrollmentModule;
  marketplace: MarketplaceModule;
}

/**
 * The bounded contexts one app runs, built fresh for it with their ports wired: two apps in one
 * process share no module, cache or clock. Every module is built by its factory and offers its
 * API as `api`; a port adapter reads a neighbour's API when the owning module is installed, and
 * `inStartOrder` installs a context after those its ports read at install time (billing before
 * enrollment and marketplace).
 */
export function contextModules(clock: Clock, env: NodeJS.ProcessEnv = process.env, overrides: WiringOverrides = {}): Contexts {
  const tenancy = tenancyModule();
  const catalog = catalogModule({ clock });
  const billing = billingModule({ env });
  const marketplace: MarketplaceModule = marketplaceModule({
    clock,
    ports: () => {
      const ports = marketplacePorts({ billing: billing.api, enrollment: enrollment.api, catalog: catalog.api, tenancy: tenancy.api });
      return overrides.marketplace ? overrides.marketplace(ports) : ports;
    },
    options: {
      paymentTimeoutMs: ms(env.ORDER_PAYMENT_TIMEOUT_MS, 15 * 60_000),
      enrollmentTimeoutMs: ms(env.ORDER_ENROLLMENT_TIMEOUT_MS, 5 * 60_000),
      taxInclusive: env.TAX_INCLUSIVE === "true",
    },
  });
  const enrollment = enrollmentModule({
    ports: () => {
      const ports = enrollmentPorts({ billing: billing.api, catalog: catalog.api, marketplace: marketplace.api, tenancy: tenancy.api });
      return overrides.enrollment ? overrides.enrollment(ports) : ports;
    },
  });
  return { tenancy, catalog, billing, enrollment, marketplace };
}

/** Start-up order: a context after the ones whose APIs its ports take when it is installed. */
export function inStartOrder(contexts: Contexts): ContextModule[] {
  return [contexts.tenancy, contexts.catalog, contexts.billing, contexts.enrollment, contexts.marketplace];
}
