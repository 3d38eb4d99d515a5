import type { HttpServer } from "../server.js";

/**
 * The AsyncAPI document of every wire type (platform/events/asyncapi.ts), public like /openapi.json:
 * it holds the contract, no data. Built once when the app is, from the registry it was given.
 */
export function asyncApiRoutes(server: HttpServer, document: Record<string, unknown>): void {
  server.get(
    "/asyncapi.json",
    {
      schema: {
        tags: ["platform"],
        operationId: "getAsyncApiDocument",
        summary: "The AsyncAPI 3.0 document of every event: subjects, envelope, payload schemas, partition keys, examples",
        security: [],
        response: { 200: { type: "object", additionalProperties: true, description: "An AsyncAPI 3.0 document" } },
      },
    },
    async () => document,
  );
}
