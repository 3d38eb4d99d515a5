import type { Clock } from "./platform/clock.js";
import type { ContextModule } from "./platform/module.js";
import { billingModule } from "./contexts/billing/module.js";
import { catalogModule } from "./contexts/catalog/module.js";
import { enrollment } from "./contexts/enrollment/module.js";
import { marketplaceModule } from "./contexts/marketplace/module.js";
import { tenancyModule } from "./contexts/tenancy/module.js";
import { enrollmentPorts, marketplacePorts, type WiringOverrides } from "./wiring.js";

const ms = (value: string | undefined, fallback: number) => (value && /^\d+$/.test(value) ? Number(value) : fallback);

/** The bounded contexts this build runs, in start-up order, with their ports wired. */
export function contextModules(clock: Clock, env: NodeJS.ProcessEnv = process.env, overrides: WiringOverrides = {}): ContextModule[] {
  Object.assign(
    enrollment.ports,
    enrollmentPorts(() => clock.now()),
  );
  const billing = billingModule();
  return [
    tenancyModule,
    catalogModule,
    billing,
    enrollment,
    marketplaceModule(
      (kernel) => {
        const ports = marketplacePorts(kernel, billing, enrollment);
        return overrides.marketplace ? overrides.marketplace(ports) : ports;
      },
      () => ({
        paymentTimeoutMs: ms(env.ORDER_PAYMENT_TIMEOUT_MS, 15 * 60_000),
        enrollmentTimeoutMs: ms(env.ORDER_ENROLLMENT_TIMEOUT_MS, 5 * 60_000),
        taxInclusive: env.TAX_INCLUSIVE === "true",
      }),
    ),
  ];
}
