import { ok, type Result } from "../../../platform/result.js";
import { isLocalName, isPrivateAddress } from "../addresses.domain.js";
import { reject } from "../errors.js";

export const ENDPOINT_STATUSES = ["enabled", "disabled"] as const;
export type EndpointStatus = (typeof ENDPOINT_STATUSES)[number];

/** Why an endpoint stopped receiving: its owner deleted it, or it answered 410 Gone. */
export const DISABLED_REASONS = ["deleted", "gone"] as const;
export type DisabledReason = (typeof DISABLED_REASONS)[number];

export interface Endpoint {
  endpointId: string;
  tenantId: string;
  url: string;
  events: string[];
  status: EndpointStatus;
  disabledReason: DisabledReason | null;
  createdAt: Date;
}

export interface EndpointRequest {
  url: string;
  events: string[];
  secret?: string;
}

export interface EndpointRules {
  /** The wire types the contexts publish: a filter names one of them or a prefix of some. */
  producedTypes: readonly string[];
  /** WEBHOOKS_ALLOW_PRIVATE_URLS: loopback and private addresses accepted (tests, on-premises receivers). */
  allowPrivate: boolean;
}

/** Standard Webhooks: `whsec_` and the base64 of 24 to 64 random bytes. */
const SECRET = /^whsec_([A-Za-z0-9+/]+={0,2})$/;
const MAX_URL = 2000;

/**
 * A filter selects a wire type exactly (`marketplace.order.placed.v1`) or every type under a prefix
 * that ends with a dot (`marketplace.order.`). The SQL of the fan-out says the same (deliveries.sql.ts).
 */
export function matches(type: string, filters: readonly string[]): boolean {
  return filters.some((filter) => filter === type || (filter.endsWith(".") && type.startsWith(filter)));
}

export function secretBytes(secret: string): number | null {
  const match = SECRET.exec(secret);
  if (!match) return null;
  const body = match[1]!;
  if (body.length % 4 !== 0) return null;
  return (body.length / 4) * 3 - (body.endsWith("==") ? 2 : body.endsWith("=") ? 1 : 0);
}

/** Whether a URL may receive webhooks: http(s), no credentials, no fragment, and (unless allowed) no private host. */
export function checkUrl(text: string, allowPrivate: boolean): Result<string> {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return reject("WEBHOOK.URL_INVALID", "the url is not an absolute URL", "body/url");
  }
  if (url.protocol !== "https:" && url.protocol !== "http:")
    return reject("WEBHOOK.URL_INVALID", "the url must be http or https", "body/url");
  if (url.username || url.password) return reject("WEBHOOK.URL_INVALID", "the url must not carry credentials", "body/url");
  if (url.hash) return reject("WEBHOOK.URL_INVALID", "the url must not carry a fragment", "body/url");
  if (url.href.length > MAX_URL) return reject("WEBHOOK.URL_INVALID", `the url is longer than ${MAX_URL} characters`, "body/url");
  const host = url.hostname.replace(/^\[(.*)\]$/, "$1");
  if (!allowPrivate && (isLocalName(host.toLowerCase()) || isPrivateAddress(host)))
    return reject("WEBHOOK.URL_NOT_ALLOWED", "the url names a loopback, private or link-local address", "body/url");
  return ok(url.href);
}

/** Validates a registration; the secret is returned only when the caller chose it (else the use case makes one). */
export function decideEndpoint(request: EndpointRequest, rules: EndpointRules): Result<EndpointRequest> {
  const url = checkUrl(request.url, rules.allowPrivate);
  if (!url.ok) return url;
  for (const [i, filter] of request.events.entries()) {
    const known = filter.endsWith(".") ? rules.producedTypes.some((type) => type.startsWith(filter)) : rules.producedTypes.includes(filter);
    if (!known) return reject("WEBHOOK.EVENT_UNKNOWN", `${filter} is neither a wire type nor a prefix of one`, `body/events/${i}`);
  }
  if (request.secret !== undefined) {
    const bytes = secretBytes(request.secret);
    if (bytes === null || bytes < 24 || bytes > 64)
      return reject("WEBHOOK.SECRET_INVALID", "a secret is whsec_ and the base64 of 24 to 64 bytes", "body/secret");
  }
  return ok({ url: url.value, events: [...new Set(request.events)], ...(request.secret !== undefined ? { secret: request.secret } : {}) });
}
