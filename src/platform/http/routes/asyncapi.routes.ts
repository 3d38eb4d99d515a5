import { eventsPage } from "../../events/asyncapi-html.js";
import type { HttpServer } from "../server.js";

/**
 * The AsyncAPI document of every wire type (platform/events/asyncapi.ts), public like /openapi.json:
 * it holds the contract, no data. Built once when the app is, from the registry it was given; so is
 * its HTML page.
 */
export function asyncApiRoutes(server: HttpServer, document: Record<string, unknown>): void {
  const page = eventsPage(document);
  server.get(
    "/asyncapi.json",
    {
      schema: {
        tags: ["platform"],
        operationId: "getAsyncApiDocument",
        description: "Anyone, without a token: the same document as docs/asyncapi.json, for subscribers on NATS and webhook receivers.",
        summary: "The AsyncAPI 3.0 document of every event: subjects, envelope, payload schemas, partition keys, examples",
        security: [],
        response: { 200: { type: "object", additionalProperties: true, description: "An AsyncAPI 3.0 document" } },
      },
    },
    async () => document,
  );
  server.get(
    "/docs/events",
    {
      schema: {
        tags: ["platform"],
        operationId: "getEventsPage",
        description: "Anyone, without a token: a server-rendered page of every wire type (no scripts), for people reading the catalog.",
        summary: "Every event as one HTML page, rendered from the AsyncAPI document",
        security: [],
        response: { 200: { description: "An HTML page", content: { "text/html": { schema: { type: "string" } } } } },
      },
    },
    async (_request, reply) => reply.type("text/html; charset=utf-8").send(page),
  );
}
