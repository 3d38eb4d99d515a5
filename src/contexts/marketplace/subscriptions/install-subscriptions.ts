import type { ModuleHost } from "../../../platform/module.js";
import { Poller } from "../../../platform/poller.js";
import type { MarketplacePorts } from "../ports.js";
import { subscriptionSagaConsumer } from "./subscription-consumers.js";
import { subscriptionRuntime, type SubscriptionRuntime } from "./subscription-flow.js";
import { checkDunning, DEFAULT_DUNNING, type DunningPolicy } from "./subscription.domain.js";
import { subscriptionRoutes } from "./subscriptions.routes.js";

/** Subscriptions: their saga and its deadline worker, the billing outcomes it awaits, and the routes. */
export function installSubscriptions(
  host: ModuleHost,
  ports: MarketplacePorts,
  policy: DunningPolicy = DEFAULT_DUNNING,
): SubscriptionRuntime {
  const invalid = checkDunning(policy);
  if (invalid) throw new Error(`subscription dunning settings: ${invalid}`);
  const { kernel } = host;
  const runtime = subscriptionRuntime(kernel, ports, policy);
  subscriptionRoutes(host, ports, runtime);
  kernel.hub.register(subscriptionSagaConsumer(runtime));
  kernel.pollers.push(
    new Poller("marketplace.subscription-deadlines", kernel.config.sagaPollMs, () => runtime.fireDue(kernel.db), kernel.logger, {
      nextDue: () => runtime.nextDue(kernel.db),
    }),
  );
  return runtime;
}
