import { Type } from "@sinclair/typebox";
import { Id, Instant, Nullable, OneOf } from "../../../platform/http/schemas.js";
import { DISABLED_REASONS, ENDPOINT_STATUSES, type Endpoint } from "./endpoint.domain.js";

/** An endpoint as its tenant's admins see it: never its secret, which only the creation's answer shows. */
export const EndpointView = Type.Object(
  {
    endpointId: Id,
    url: Type.String({ description: "http(s) URL the deliveries are POSTed to" }),
    events: Type.Array(Type.String(), { description: "wire types, or prefixes ending with a dot (marketplace.order.)" }),
    status: OneOf(ENDPOINT_STATUSES),
    disabledReason: Nullable(OneOf(DISABLED_REASONS)),
    createdAt: Instant,
  },
  { additionalProperties: false },
);

export const CreatedEndpointView = Type.Composite(
  [
    EndpointView,
    Type.Object({
      secret: Type.String({ description: "whsec_…: the signing secret, shown only in this answer; keep it to verify webhook-signature" }),
    }),
  ],
  { additionalProperties: false },
);

export const endpointView = (endpoint: Endpoint) => ({
  endpointId: endpoint.endpointId,
  url: endpoint.url,
  events: endpoint.events,
  status: endpoint.status,
  disabledReason: endpoint.disabledReason,
  createdAt: endpoint.createdAt.toISOString(),
});
