import type { Kernel } from "../../kernel.js";
import type { HttpServer } from "../server.js";

export function healthRoutes(server: HttpServer, kernel: Kernel): void {
  server.get("/health", { schema: { tags: ["platform"], summary: "Liveness" } }, async () => ({ status: "ok" }));

  server.get("/ready", { schema: { tags: ["platform"], summary: "Database and bus reachable" } }, async (_request, reply) => {
    const database = await kernel.db.query("SELECT 1").then(() => true, () => false);
    const bus = kernel.bus ? await kernel.bus.ready() : true;
    return reply.code(database && bus ? 200 : 503).send({ status: database && bus ? "ready" : "unavailable", database, bus: kernel.bus ? (bus ? "nats" : "down") : "in-process" });
  });

  server.get("/metrics", { schema: { tags: ["platform"], summary: "Prometheus metrics" } }, async (_request, reply) => {
    return reply.type(kernel.metrics.registry.contentType).send(await kernel.metrics.registry.metrics());
  });
}
