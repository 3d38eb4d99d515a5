import { systemClock, type Clock } from "../../platform/clock.js";
import type { ContextModule } from "../../platform/module.js";
import { Poller } from "../../platform/poller.js";
import { webhooksApi, type WebhooksApi } from "./api.js";
import { deliveryRoutes } from "./deliveries/deliveries.routes.js";
import { nextDue } from "./deliveries/deliveries.sql.js";
import { deliverDue, type DeliverySettings } from "./deliveries/delivery-worker.js";
import { fanoutConsumer } from "./deliveries/fanout.consumer.js";
import { endpointRoutes } from "./endpoints/endpoints.routes.js";
import { webhooksErrors } from "./errors.js";

export type { WebhooksApi };

export interface WebhooksModule extends ContextModule {
  readonly api: WebhooksApi;
}

export interface WebhooksDeps {
  env: NodeJS.ProcessEnv;
  /**
   * The wall clock, for webhook-timestamp only: receivers check it against their own clock (Standard
   * Webhooks: 5 minutes), so it is never the test clock. Retries are scheduled by the kernel's clock.
   */
  wallClock?: Clock;
  /**
   * The wire types the app's contexts publish: what an endpoint may ask for. Upstream-only types
   * (catalog, content, progress) and test probes are not the tenants' to receive.
   */
  publishedTypes: () => readonly string[];
}

const positive = (name: string, value: string | undefined, fallback: number): number => {
  if (value === undefined || value === "") return fallback;
  if (!/^\d+$/.test(value) || Number(value) <= 0) throw new Error(`${name} must be a positive integer, got "${value}"`);
  return Number(value);
};

function flag(name: string, value: string | undefined): boolean {
  if (value === undefined || value === "" || value === "false") return false;
  if (value === "true") return true;
  throw new Error(`${name} must be "true" or "false", got "${value}"`);
}

/** Webhooks: tenants' endpoints, and signed deliveries of their events (Standard Webhooks). */
export function webhooksModule({ env, wallClock = systemClock, publishedTypes }: WebhooksDeps): WebhooksModule {
  // Off by default: the fan-out is one more consumer of every wire type (on NATS a durable per type),
  // which costs a deployment without endpoints about 15% of its purchase throughput (docs/decisions.md).
  const enabled = flag("WEBHOOKS_ENABLED", env.WEBHOOKS_ENABLED);
  const settings: DeliverySettings & { pollMs: number } = {
    // SSRF: off by default; on for tests and receivers on a private network the operator trusts.
    allowPrivate: flag("WEBHOOKS_ALLOW_PRIVATE_URLS", env.WEBHOOKS_ALLOW_PRIVATE_URLS),
    timeoutMs: positive("WEBHOOKS_TIMEOUT_MS", env.WEBHOOKS_TIMEOUT_MS, 10_000),
    pollMs: positive("WEBHOOKS_POLL_MS", env.WEBHOOKS_POLL_MS, 500),
    batch: 32,
  };
  return {
    name: "webhooks",
    events: [],
    errors: webhooksErrors,
    api: webhooksApi(),
    install(host) {
      const { kernel } = host;
      const worker = new Poller("webhooks.delivery", settings.pollMs, () => deliverDue(kernel, settings, wallClock), kernel.logger, {
        nextDue: () => nextDue(kernel.db),
      });
      // The routes are there either way (one API document); registering an endpoint is refused while off.
      endpointRoutes(host, () => ({ producedTypes: publishedTypes(), allowPrivate: settings.allowPrivate }), enabled);
      deliveryRoutes(host, () => worker.wake());
      if (!enabled) return;
      kernel.pollers.push(worker);
      fanoutConsumer(kernel, publishedTypes());
    },
  };
}
