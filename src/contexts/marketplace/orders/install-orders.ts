import { Poller } from "../../../platform/poller.js";
import type { ModuleHost } from "../../../platform/module.js";
import { couponRoutes } from "../coupons/coupons.routes.js";
import { licenseRoutes } from "../licenses/licenses.routes.js";
import type { MarketplacePorts } from "../ports.js";
import { orderRoutes } from "./orders.routes.js";
import { purchaseRuntime, type PurchaseRuntime } from "./purchase-flow.js";
import { purchaseSagaConsumer } from "./purchase-consumers.js";
import { DEFAULT_TIMEOUTS } from "./purchase-saga.domain.js";
import { installSubscriptions } from "../subscriptions/install-subscriptions.js";
import { renewalOutcomes } from "../subscriptions/subscription-consumers.js";
import type { DunningPolicy } from "../subscriptions/subscription.domain.js";

export interface OrdersOptions {
  paymentTimeoutMs?: number;
  enrollmentTimeoutMs?: number;
  taxInclusive?: boolean;
  /** Renewals and dunning (README "Configuration"). */
  dunning?: DunningPolicy;
}

/** Orders, coupons, licenses, subscriptions and the purchase saga with its deadline worker. */
export function installOrders(host: ModuleHost, ports: MarketplacePorts, options: OrdersOptions = {}): PurchaseRuntime {
  const { kernel } = host;
  // A fulfilled order starts its subscriptions in the same transaction: the purchase saga drives theirs.
  const subscriptions = installSubscriptions(host, ports, options.dunning);
  const runtime = purchaseRuntime(
    kernel,
    ports,
    {
      paymentMs: options.paymentTimeoutMs ?? DEFAULT_TIMEOUTS.paymentMs,
      enrollmentMs: options.enrollmentTimeoutMs ?? DEFAULT_TIMEOUTS.enrollmentMs,
    },
    subscriptions,
  );
  orderRoutes(host, ports, runtime, { taxInclusive: options.taxInclusive ?? false });
  couponRoutes(host);
  licenseRoutes(host);
  kernel.hub.register(purchaseSagaConsumer(runtime, ports.payments, renewalOutcomes(subscriptions)));
  kernel.pollers.push(
    new Poller("marketplace.purchase-deadlines", kernel.config.sagaPollMs, () => runtime.fireDue(kernel.db), kernel.logger, {
      nextDue: () => runtime.nextDue(kernel.db),
    }),
  );
  return runtime;
}
