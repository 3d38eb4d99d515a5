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
    new Poller("marketplace.purchase-deadlines", kernel.config.sagaPollMs, () => runtime.fireDue(kernel.db), kernel.logger),
  );
  return runtime;
}

export const orderErrors: Readonly<Record<string, number>> = {
  "ORDER.NOT_FOUND": 404,
  "ORDER.PLAN_NOT_OF_LISTING": 422,
  "ORDER.PLAN_VERSION_STALE": 409,
  "ORDER.QUANTITY_INVALID": 400,
  "ORDER.MIXED_CURRENCIES": 422,
  "ORDER.DUPLICATE_ITEM": 400,
  "ORDER.CURRENCY_NOT_ALLOWED": 422,
  "ORDER.PURCHASE_CAP_EXCEEDED": 422,
  "LICENSE.NOT_FOUND": 404,
  "COUPON.NOT_FOUND": 422,
  "COUPON.NOT_YET_VALID": 422,
  "COUPON.EXPIRED": 422,
  "COUPON.NOT_APPLICABLE": 422,
  "COUPON.CURRENCY_MISMATCH": 422,
  "COUPON.MINIMUM_NOT_MET": 422,
  "COUPON.EXHAUSTED": 409,
  "COUPON.USER_LIMIT_REACHED": 409,
  "COUPON.TERMS_INVALID": 400,
  "COUPON.LISTINGS_REQUIRED": 400,
  "COUPON.CODE_TAKEN": 409,
};
