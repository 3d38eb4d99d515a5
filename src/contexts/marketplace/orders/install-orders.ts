import { Poller } from "../../../platform/poller.js";
import type { ModuleHost } from "../../../platform/module.js";
import { couponRoutes } from "../coupons/coupons.routes.js";
import { licenseRoutes } from "../licenses/licenses.routes.js";
import type { MarketplacePorts } from "../ports.js";
import { orderRoutes } from "./orders.routes.js";
import { purchaseRuntime, type PurchaseRuntime } from "./purchase-flow.js";
import { purchaseSagaConsumer } from "./purchase-consumers.js";
import { DEFAULT_TIMEOUTS } from "./purchase-saga.domain.js";

export interface OrdersOptions {
  paymentTimeoutMs?: number;
  enrollmentTimeoutMs?: number;
  taxInclusive?: boolean;
}

/** Orders, coupons, licenses and the purchase saga with its deadline worker. */
export function installOrders(host: ModuleHost, ports: MarketplacePorts, options: OrdersOptions = {}): PurchaseRuntime {
  const { kernel } = host;
  const runtime = purchaseRuntime(kernel, ports, {
    paymentMs: options.paymentTimeoutMs ?? DEFAULT_TIMEOUTS.paymentMs,
    enrollmentMs: options.enrollmentTimeoutMs ?? DEFAULT_TIMEOUTS.enrollmentMs,
  });
  orderRoutes(host, ports, runtime, { taxInclusive: options.taxInclusive ?? false });
  couponRoutes(host);
  licenseRoutes(host);
  kernel.hub.register(purchaseSagaConsumer(runtime, ports.payments));
  kernel.pollers.push(
    new Poller("marketplace.purchase-deadlines", kernel.config.sagaPollMs, () => runtime.fireDue(kernel.db), kernel.logger, {
      nextDue: () => runtime.nextDue(kernel.db),
    }),
  );
  return runtime;
}
