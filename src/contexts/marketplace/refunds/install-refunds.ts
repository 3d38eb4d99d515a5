import type { ModuleHost } from "../../../platform/module.js";
import { Poller } from "../../../platform/poller.js";
import type { MarketplacePorts } from "../ports.js";
import { outsideRefundConsumer } from "./outside-refunds.js";
import { refundSagaConsumer } from "./refund-consumers.js";
import { refundRuntime, type RefundRuntime } from "./refund-flow.js";
import { DEFAULT_REFUND_TIMEOUTS, type RefundTimeouts } from "./refund-saga.domain.js";
import { refundRoutes } from "./refunds.routes.js";

/** Refunds: the route, the refund saga with its retry timer, and the provider-confirmation consumer. */
export function installRefunds(
  host: ModuleHost,
  ports: MarketplacePorts,
  timeouts: RefundTimeouts = DEFAULT_REFUND_TIMEOUTS,
): RefundRuntime {
  const { kernel } = host;
  const runtime = refundRuntime(kernel, ports, timeouts);
  refundRoutes(host, ports, runtime);
  kernel.hub.register(refundSagaConsumer(runtime));
  kernel.hub.register(outsideRefundConsumer(kernel, ports));
  kernel.pollers.push(
    new Poller("marketplace.refund-deadlines", kernel.config.sagaPollMs, () => runtime.fireDue(kernel.db), kernel.logger, {
      nextDue: () => runtime.nextDue(kernel.db),
    }),
  );
  return runtime;
}
