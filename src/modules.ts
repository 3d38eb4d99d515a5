import type { Clock } from "./platform/clock.js";
import type { ContextModule } from "./platform/module.js";
import { billingModule, type BillingModule } from "./contexts/billing/module.js";
import { catalogModule, type CatalogModule } from "./contexts/catalog/module.js";
import { enrollmentModule, type EnrollmentModule } from "./contexts/enrollment/module.js";
import { DEFAULT_DUNNING, marketplaceModule, type MarketplaceModule } from "./contexts/marketplace/module.js";
import { tenancyModule, type TenancyModule } from "./contexts/tenancy/module.js";
import { webhooksModule, type WebhooksModule } from "./contexts/webhooks/module.js";
import { enrollmentPorts, marketplacePorts, type WiringOverrides } from "./wiring.js";

const ms = (value: string | undefined, fallback: number) => (value && /^\d+$/.test(value) ? Number(value) : fallback);
const DAY_MS = 86_400_000;
/** A list of days ("1,3,5"), in ms; the default when unset. A malformed list is refused at start-up, not guessed at. */
function days(name: string, value: string | undefined, fallback: readonly number[]): number[] {
  if (value === undefined || value.trim() === "") return [...fallback];
  const parts = value.split(",").map((part) => part.trim());
  if (!parts.every((part) => /^\d+(\.\d+)?$/.test(part))) throw new Error(`${name} must be a list of days such as "1,3,5", got "${value}"`);
  return parts.map((part) => Math.round(Number(part) * DAY_MS));
}

/** One app's bounded contexts, each with its public API (tests reach a context through `app.contexts`). */
export interface Contexts {
  tenancy: TenancyModule;
  catalog: CatalogModule;
  billing: BillingModule;
  enrollment: EnrollmentModule;
  marketplace: MarketplaceModule;
  webhooks: WebhooksModule;
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
      dunning: {
        renewalLeadMs: ms(env.SUBSCRIPTION_RENEWAL_LEAD_MS, DEFAULT_DUNNING.renewalLeadMs),
        seatLockMs: ms(env.SUBSCRIPTION_SEAT_LOCK_MS, DEFAULT_DUNNING.seatLockMs),
        graceMs: days("SUBSCRIPTION_GRACE_DAYS", env.SUBSCRIPTION_GRACE_DAYS, [DEFAULT_DUNNING.graceMs])[0]!,
        retriesAfterMs: days("SUBSCRIPTION_RETRY_DAYS", env.SUBSCRIPTION_RETRY_DAYS, DEFAULT_DUNNING.retriesAfterMs),
        cancelAfterMs: days("SUBSCRIPTION_CANCEL_AFTER_DAYS", env.SUBSCRIPTION_CANCEL_AFTER_DAYS, [DEFAULT_DUNNING.cancelAfterMs])[0]!,
      },
    },
  });
  const enrollment = enrollmentModule({
    ports: () => {
      const ports = enrollmentPorts({ billing: billing.api, catalog: catalog.api, marketplace: marketplace.api, tenancy: tenancy.api });
      return overrides.enrollment ? overrides.enrollment(ports) : ports;
    },
  });
  // Webhooks deliver what the business contexts publish (their modules' events), nothing else.
  const webhooks = webhooksModule({
    env,
    publishedTypes: () =>
      [tenancy, catalog, billing, enrollment, marketplace].flatMap((module) => module.events.map((event) => event.type)),
  });
  return { tenancy, catalog, billing, enrollment, marketplace, webhooks };
}

/** Start-up order: a context after the ones whose APIs its ports take when it is installed. */
export function inStartOrder(contexts: Contexts): ContextModule[] {
  return [contexts.tenancy, contexts.catalog, contexts.billing, contexts.enrollment, contexts.marketplace, contexts.webhooks];
}
