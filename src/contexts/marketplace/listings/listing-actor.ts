import type { FastifyRequest } from "fastify";
import type { Authenticator, Principal } from "../../../platform/http/auth.js";
import { refuse } from "../errors.js";
import type { Actor } from "./listing.domain.js";

/** The listing actor a token stands for: a platform admin, or a provider acting as its `pid`. */
export function actorOf(principal: Principal): Actor {
  if (principal.roles.includes("platform_admin")) return { kind: "platform_admin" };
  if (!principal.providerId) throw refuse({ code: "LISTING.PROVIDER_ID_MISSING", detail: "a provider token needs a pid claim" });
  return { kind: "provider", providerId: principal.providerId };
}

/** Provider-only routes act as the provider even when the token also carries platform_admin. */
export function providerActorOf(principal: Principal): Actor & { kind: "provider" } {
  if (!principal.providerId) throw refuse({ code: "LISTING.PROVIDER_ID_MISSING", detail: "a provider token needs a pid claim" });
  return { kind: "provider", providerId: principal.providerId };
}

/** Public reads: a token is optional, but a bad one is still a 401. */
export async function optionalPrincipal(authenticator: Authenticator, request: FastifyRequest): Promise<Principal | undefined> {
  return request.headers.authorization ? authenticator.verify(request.headers.authorization) : undefined;
}
