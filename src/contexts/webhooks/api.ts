/**
 * Webhooks' public face. No other context calls it: it listens to every context's events through
 * the consumer machinery and talks only to the tenants' receivers, so its API is empty.
 */
export type WebhooksApi = Record<string, never>;

export function webhooksApi(): WebhooksApi {
  return {};
}
