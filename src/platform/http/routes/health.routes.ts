import { Type } from "@sinclair/typebox";
import { timingSafeEqual, createHash } from "node:crypto";
import type { FastifyRequest } from "fastify";
import type { Kernel } from "../../kernel.js";
import { RejectionError } from "../../result.js";
import type { HttpServer } from "../server.js";
import { Json, problemResponses } from "../openapi.js";
import { Liveness, Readiness } from "./platform-responses.js";

const LOOPBACK = new Set(["127.0.0.1", "::1", "::ffff:127.0.0.1"]);
const digest = (text: string) => createHash("sha256").update(text).digest();

/**
 * Who may read /metrics (route names, rates, queue depths: an attacker's map). With METRICS_TOKEN
 * set, a caller presenting it as a bearer token, compared in constant time over digests (so neither
 * its content nor its length leaks through timing); without it, only the loopback interface, where a
 * local Prometheus agent or sidecar scrapes.
 */
function metricsGuard(metricsToken: string | undefined) {
  const expected = metricsToken === undefined ? undefined : digest(`Bearer ${metricsToken}`);
  return async (request: FastifyRequest) => {
    if (expected === undefined) {
      if (!LOOPBACK.has(request.socket.remoteAddress ?? ""))
        throw new RejectionError({
          code: "AUTH.FORBIDDEN",
          detail: "metrics are served to the loopback interface only (set METRICS_TOKEN to scrape from elsewhere)",
        });
      return;
    }
    const presented = request.headers.authorization;
    if (!presented) throw new RejectionError({ code: "AUTH.TOKEN_MISSING", detail: "metrics need Authorization: Bearer <METRICS_TOKEN>" });
    if (!timingSafeEqual(digest(presented), expected))
      throw new RejectionError({ code: "AUTH.TOKEN_INVALID", detail: "that is not the metrics token" });
  };
}

export function healthRoutes(server: HttpServer, kernel: Kernel, options: { metricsToken?: string } = {}): void {
  // Probes and scrapes are not rate limited: an orchestrator polling them must never see a 429.
  const config = { rateLimit: false } as const;
  server.get(
    "/health",
    {
      config,
      schema: {
        tags: ["platform"],
        operationId: "getHealth",
        summary: "Liveness",
        description: "Answers 200 while the process runs; it touches neither the database nor the bus. Never rate limited.",
        response: { 200: Liveness },
      },
    },
    async () => ({ status: "ok" as const }),
  );

  server.get(
    "/ready",
    {
      config,
      schema: {
        tags: ["platform"],
        operationId: "getReadiness",
        summary: "Database and bus reachable",
        description: "200 when the database answers and the bus (NATS, when configured) is connected; 503 with the same body otherwise.",
        response: {
          200: Json(Readiness, "Ready: the database answers and the bus is connected"),
          503: Json(Readiness, "Not ready: the database or the bus is unreachable"),
        },
      },
    },
    async (_request, reply) => {
      const database = await kernel.db.query("SELECT 1").then(
        () => true,
        () => false,
      );
      const bus = kernel.bus ? await kernel.bus.ready() : true;
      return reply
        .code(database && bus ? 200 : 503)
        .send({ status: database && bus ? "ready" : "unavailable", database, bus: kernel.bus ? (bus ? "nats" : "down") : "in-process" });
    },
  );

  server.get(
    "/metrics",
    {
      config,
      onRequest: metricsGuard(options.metricsToken),
      schema: {
        tags: ["platform"],
        operationId: "getMetrics",
        summary: "Prometheus metrics",
        description:
          "Prometheus text format. With METRICS_TOKEN set, send it as a bearer token (401 without it or with another); unset, only loopback callers are served (403 otherwise).",
        security: [{ metricsToken: [] }, {}],
        response: {
          200: { description: "Prometheus text exposition format", content: { "text/plain": { schema: Type.String() } } },
          ...problemResponses(401, 403),
        },
      },
    },
    async (_request, reply) => reply.type(kernel.metrics.registry.contentType).send(await kernel.metrics.registry.metrics()),
  );
}
