import { randomBytes } from "node:crypto";
import type { Kernel } from "../../../platform/kernel.js";
import { newId } from "../../../platform/ids.js";
import { unwrap } from "../../../platform/result.js";
import { decideEndpoint, type Endpoint, type EndpointRequest, type EndpointRules } from "./endpoint.domain.js";
import { insertEndpoint } from "./endpoints.sql.js";

/** Standard Webhooks recommends 24 to 64 random bytes; a generated secret has 32. */
export const newSecret = () => `whsec_${randomBytes(32).toString("base64")}`;

export async function registerEndpoint(
  kernel: Kernel,
  caller: { tenantId: string; userId: string },
  request: EndpointRequest,
  rules: EndpointRules,
): Promise<Endpoint & { secret: string }> {
  const decided = unwrap(decideEndpoint(request, rules));
  const secret = decided.secret ?? newSecret();
  const endpoint = await kernel.db.tx(
    (tx) =>
      insertEndpoint(tx, {
        endpointId: newId("whe"),
        tenantId: caller.tenantId,
        url: decided.url,
        events: decided.events,
        secret,
        createdBy: caller.userId,
        at: kernel.clock.now(),
      }),
    { tenantId: caller.tenantId },
  );
  return { ...endpoint, secret };
}
