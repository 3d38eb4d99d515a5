import { randomBytes } from "node:crypto";
import type { Tx } from "../../../platform/db/db.js";
import { newId } from "../../../platform/ids.js";
import { unwrap } from "../../../platform/result.js";
import { decideEndpoint, type Endpoint, type EndpointRequest, type EndpointRules } from "./endpoint.domain.js";
import { insertEndpoint } from "./endpoints.sql.js";

/** Standard Webhooks recommends 24 to 64 random bytes; a generated secret has 32. */
export const newSecret = () => `whsec_${randomBytes(32).toString("base64")}`;

export interface Registration {
  url: string;
  events: string[];
  secret: string;
}

/** The endpoint a request asks for, checked (throws its refusal), with its secret generated when not given. */
export function decideRegistration(request: EndpointRequest, rules: EndpointRules): Registration {
  const decided = unwrap(decideEndpoint(request, rules));
  return { url: decided.url, events: decided.events, secret: decided.secret ?? newSecret() };
}

/** Records the endpoint in the caller's transaction (the route's idempotent one). */
export function registerEndpoint(
  tx: Tx,
  caller: { tenantId: string; userId: string },
  registration: Registration,
  at: Date,
): Promise<Endpoint> {
  return insertEndpoint(tx, {
    endpointId: newId("whe"),
    tenantId: caller.tenantId,
    url: registration.url,
    events: registration.events,
    secret: registration.secret,
    createdBy: caller.userId,
    at,
  });
}
