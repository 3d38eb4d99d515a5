// The typed client for Ghasi Commerce's HTTP API: openapi-fetch over the types openapi-typescript
// generates from docs/openapi.json (schema.d.ts; regenerate both with `npm run client:generate`).
import createClient, { type Client } from "openapi-fetch";
import type { paths } from "./schema.js";

export type { components, operations, paths } from "./schema.js";

/** Every error answer: application/problem+json with a stable `code` to branch on. */
export type Problem = import("./schema.js").components["schemas"]["Problem"];

export interface GhasiClientOptions {
  /** Where the service listens, e.g. http://localhost:3000 (no trailing /api). */
  baseUrl: string;
  /** A bearer token (a JWT), or a function that returns the current one (refreshed tokens). */
  token?: string | (() => string | Promise<string>);
  /** Another fetch (tests, proxies); the global one by default. */
  fetch?: typeof globalThis.fetch;
}

export type GhasiClient = Client<paths>;

/** A client whose every call is typed by path and method: `client.POST("/api/v1/orders", { body })`. */
export function createGhasiClient(options: GhasiClientOptions): GhasiClient {
  const client = createClient<paths>({ baseUrl: options.baseUrl, ...(options.fetch ? { fetch: options.fetch } : {}) });
  const { token } = options;
  if (token !== undefined) {
    client.use({
      async onRequest({ request }) {
        request.headers.set("authorization", `Bearer ${typeof token === "string" ? token : await token()}`);
        return request;
      },
    });
  }
  return client;
}

/**
 * An Idempotency-Key header for a POST that creates something or moves money: keep the key and send
 * it again with the same body when a call's outcome is unknown (a timeout), and the first answer is
 * replayed instead of the work being done twice. (Web Crypto, so the client runs in browsers too.)
 */
export function idempotencyKey(key: string = globalThis.crypto.randomUUID()): { "idempotency-key": string } {
  return { "idempotency-key": key };
}
