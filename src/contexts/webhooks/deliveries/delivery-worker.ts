import type { Clock } from "../../../platform/clock.js";
import type { Kernel } from "../../../platform/kernel.js";
import { disableEndpoint } from "../endpoints/endpoints.sql.js";
import { afterAttempt, type Attempt } from "./delivery.domain.js";
import { claimDue, recordAttempt, type Claimed } from "./deliveries.sql.js";
import { sendWebhook } from "./send-webhook.js";

export interface DeliverySettings {
  timeoutMs: number;
  allowPrivate: boolean;
  /** Deliveries posted at once per pass (each to its own endpoint and key). */
  batch: number;
}

/**
 * One pass: claim the due heads (leased past the request timeout, so no other worker sends them
 * meanwhile), post them in parallel outside any transaction, then record every outcome in one.
 * Returns how many it posted; 0 lets the poller sleep.
 */
export async function deliverDue(kernel: Kernel, settings: DeliverySettings, wallClock: Clock): Promise<number> {
  const now = kernel.clock.now();
  const claimed = await kernel.db.tx((tx) => claimDue(tx, now, new Date(now.getTime() + settings.timeoutMs + 60_000), settings.batch));
  if (claimed.length === 0) return 0;
  const attempts = await Promise.all(
    claimed.map((delivery) =>
      sendWebhook(
        { url: delivery.url, secret: delivery.secret, msgId: delivery.deliveryId, body: delivery.body, sentAt: wallClock.now() },
        settings,
      ),
    ),
  );
  await kernel.db.tx(async (tx) => {
    const at = kernel.clock.now();
    for (const [i, delivery] of claimed.entries()) {
      const attempt = attempts[i]!;
      const outcome = afterAttempt(delivery.attempts, attempt, at);
      if (attempt.kind === "failed" && attempt.detail !== undefined)
        kernel.logger.warn(
          { deliveryId: delivery.deliveryId, endpointId: delivery.endpointId, tenantId: delivery.tenantId, detail: attempt.detail },
          "webhook attempt refused: the endpoint's address is not allowed",
        );
      await recordAttempt(tx, {
        deliveryId: delivery.deliveryId,
        status: outcome.status,
        retryAt: outcome.status === "pending" ? outcome.retryAt : null,
        ...answer(attempt),
        at,
      });
      if (outcome.status === "dead") dead(kernel, delivery, outcome.gone);
      if (outcome.status === "dead" && outcome.gone) await disableEndpoint(tx, delivery.endpointId, "gone", at);
    }
  });
  return claimed.length;
}

const answer = (attempt: Attempt) =>
  attempt.kind === "answered"
    ? { responseStatus: attempt.status, responseBody: attempt.body, error: null }
    : { responseStatus: null, responseBody: null, error: attempt.error };

function dead(kernel: Kernel, delivery: Claimed, gone: boolean): void {
  kernel.metrics.deadLettered.inc({ queue: "webhooks.dlq", consumer: "webhooks.delivery" });
  kernel.logger.warn(
    { deliveryId: delivery.deliveryId, endpointId: delivery.endpointId, tenantId: delivery.tenantId, gone },
    gone ? "webhook endpoint answered 410 Gone: disabled" : "webhook delivery dead after its retry schedule",
  );
}
