import { createHash } from "node:crypto";
import cors from "@fastify/cors";
import helmet from "@fastify/helmet";
import rateLimit from "@fastify/rate-limit";
import type { FastifyInstance, FastifyRequest } from "fastify";
import type { HttpConfig } from "../config.js";
import { ProblemError } from "./error-handler.js";
import { problem } from "./problem.js";

/**
 * The rate limit's key: the bearer token when it verifies (its digest: the store keeps no
 * credentials), else the caller's address. A token's budget follows it across addresses, and callers
 * behind one NAT with their own tokens do not share one budget. A header that does not verify
 * counts against the address, so inventing a header per request buys no fresh budget. Verified
 * tokens are cached by the authenticator, so this is a map lookup for a returning caller.
 */
function callerKey(verifies: (authorization: string) => Promise<boolean>) {
  return async (request: FastifyRequest): Promise<string> => {
    const authorization = request.headers.authorization;
    if (typeof authorization === "string" && authorization.length > 0 && (await verifies(authorization))) {
      return `t:${createHash("sha256").update(authorization).digest("base64url").slice(0, 22)}`;
    }
    return `ip:${request.ip}`;
  };
}

/** Security headers, CORS and rate limiting (API.md: 429), from `HttpConfig`. */
export async function registerEdge(
  server: FastifyInstance<any, any, any, any, any>,
  config: HttpConfig,
  verifies: (authorization: string) => Promise<boolean>,
): Promise<void> {
  // Helmet's defaults suit a JSON API, and /docs too: swagger-ui loads only its own scripts and
  // styles from the same origin, which the default Content-Security-Policy allows.
  await server.register(helmet, { global: true });
  if (config.corsOrigins.length > 0) {
    await server.register(cors, {
      origin: config.corsOrigins.includes("*") ? "*" : config.corsOrigins,
      methods: ["GET", "POST", "PUT", "PATCH", "DELETE"],
      allowedHeaders: ["authorization", "content-type", "idempotency-key", "x-correlation-id", "x-request-id", "traceparent"],
      exposedHeaders: ["x-request-id", "traceparent", "retry-after", "x-ratelimit-limit", "x-ratelimit-remaining", "x-ratelimit-reset"],
      credentials: false,
      maxAge: 600,
    });
  }
  if (config.rateLimitMax > 0) {
    await server.register(rateLimit, {
      global: true,
      max: config.rateLimitMax,
      timeWindow: config.rateLimitWindowMs,
      keyGenerator: callerKey(verifies),
      errorResponseBuilder: (_request, context) =>
        new ProblemError(
          problem(429, "RATE_LIMITED", `more than ${context.max} requests in the window: retry in ${context.after} (Retry-After)`),
        ),
    });
  }
}
