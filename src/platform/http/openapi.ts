import { Type, type TSchema } from "@sinclair/typebox";
import { STATUS_CODES } from "node:http";
import type { RouteOptions } from "fastify";

/**
 * The OpenAPI document is generated from the route schemas (@fastify/swagger); this module makes it
 * tell the truth about what the platform itself adds to every route: the problem+json error
 * answers, who may call (security), and which query parameters a caller may leave out. It does so
 * by completing each route's schema once, when the route is added, so Fastify's own serializer and
 * the served document read the same schema.
 */

/** RFC 9457 problem details with our stable `code` (API.md "Errors"); some problems carry extras (retryAfter). */
export const ProblemSchema = Type.Object(
  {
    type: Type.String({ description: "a URI naming the problem's code", examples: ["https://ghasi.dev/problems/order-not-found"] }),
    title: Type.String({ description: "the HTTP status's reason phrase" }),
    status: Type.Integer({ minimum: 400, maximum: 599 }),
    code: Type.String({
      description: "stable, machine-readable: branch on this, never on detail",
      pattern: "^[A-Z][A-Z0-9_]*(\\.[A-Z][A-Z0-9_]*)*$",
      examples: ["LISTING.NOT_LIVE"],
    }),
    detail: Type.Optional(Type.String({ description: "for a person reading logs; wording may change" })),
    instance: Type.Optional(Type.String()),
    errors: Type.Optional(
      Type.Array(
        Type.Object(
          {
            path: Type.String({ description: "where in the request, e.g. body/items/0/quantity or headers/idempotency-key" }),
            message: Type.String(),
          },
          { additionalProperties: true },
        ),
      ),
    ),
  },
  {
    $id: "Problem",
    title: "Problem",
    additionalProperties: true,
    description: "An error (application/problem+json). Some problems carry more members, named in their route's description.",
  },
);

export const PROBLEM_MEDIA_TYPE = "application/problem+json";

const WHY: Readonly<Record<number, string>> = {
  400: "The request is malformed or does not match the schema (REQUEST.*, IDEMPOTENCY.KEY_REQUIRED, …); `errors` lists where.",
  401: "No token, or one that does not verify (AUTH.TOKEN_MISSING, AUTH.TOKEN_INVALID).",
  403: "The token lacks the role or the relation this action needs (AUTH.FORBIDDEN or the context's own code).",
  404: "Something the request names does not exist or is not visible to the caller.",
  409: "The request conflicts with the current state (a business rule, or something that already exists).",
  413: "The body is larger than the service accepts.",
  415: "The body is not application/json.",
  422: "The request is well formed but a rule refuses it, or an Idempotency-Key was reused with another body.",
  429: "Too many requests from this caller in the window (RATE_LIMITED); retry after the Retry-After header.",
  500: "An unexpected error; it has been logged (INTERNAL).",
  503: "A dependency (the database) is unavailable; retry with the same Idempotency-Key (SERVICE.UNAVAILABLE).",
};

/** A problem+json response for a route's `response` map; `description` says when this status happens. */
export function problemResponse(status: number, description = WHY[status] ?? "An error.") {
  return { description, content: { [PROBLEM_MEDIA_TYPE]: { schema: Type.Ref(ProblemSchema) } } };
}

/** `{ 409: problemResponse(409), … }` for the statuses a route adds to the platform's defaults. */
export function problemResponses(...statuses: number[]): Record<number, ReturnType<typeof problemResponse>> {
  return Object.fromEntries(statuses.map((status) => [status, problemResponse(status)]));
}

/** A response with no body (204). */
export const NoContent = (description: string) => Type.Null({ description });

/** A JSON response with its description (the document's response description is the schema's). */
export const Json = <T extends TSchema>(schema: T, description: string): T => ({ ...schema, description }) as T;

const AUTHORIZES = Symbol.for("ghasi.authorizes");

/** Marks a hook as the token check, so routes that run it are documented as needing a bearer token. */
export function markAuthorizing<F extends object>(hook: F): F {
  return Object.assign(hook, { [AUTHORIZES]: true });
}

const hooksOf = (hook: unknown): unknown[] => (Array.isArray(hook) ? hook : hook ? [hook] : []);
function authorizes(route: RouteOptions): boolean {
  return [route.onRequest, route.preValidation, route.preHandler]
    .flatMap(hooksOf)
    .some((hook) => typeof hook === "function" && AUTHORIZES in hook);
}

/**
 * The statuses the platform itself may answer a route with, as problems (a route's own `response`
 * entries win). A simple rule that holds for every route, checked in the test suite by the response
 * contract hook (response-contract.ts):
 * - 400 always: the text rule checks headers on every route (http/server.ts), besides any schema;
 * - 401/403 when a token is checked;
 * - 404 when the path names something, or a body does;
 * - 409/422 on writes (a body, or a method other than GET): business rules, database constraints,
 *   Idempotency-Key reuse;
 * - 413/415 when a body is parsed (POST, PUT, PATCH);
 * - 429 unless the route opts out of rate limiting; 500 always; 503 under /api and on writes (the database).
 */
export function platformStatuses(route: RouteOptions, secured: boolean): number[] {
  const methods = ([] as string[]).concat(route.method);
  const write = methods.some((method) => method !== "GET" && method !== "HEAD");
  const parsesBody = methods.some((method) => ["POST", "PUT", "PATCH"].includes(method));
  const hasBody = Boolean(route.schema?.body);
  const api = route.url.startsWith("/api/");
  const rateLimited = (route.config as { rateLimit?: unknown } | undefined)?.rateLimit !== false;
  return [
    400,
    ...(secured ? [401, 403] : []),
    ...(route.url.includes(":") || hasBody ? [404] : []),
    ...(write || hasBody ? [409, 422] : []),
    ...(parsesBody ? [413, 415] : []),
    ...(rateLimited ? [429] : []),
    500,
    ...(api || write ? [503] : []),
  ];
}

/** A property with a default is filled in by the validator: the caller may leave it out. */
function withoutDefaultedRequired(schema: unknown): unknown {
  if (!schema || typeof schema !== "object") return schema;
  const object = schema as { properties?: Record<string, { default?: unknown }>; required?: string[] };
  if (!object.properties || !object.required) return schema;
  const required = object.required.filter((name) => object.properties![name]?.default === undefined);
  if (required.length === object.required.length) return schema;
  const copy: Record<string | symbol, unknown> = { ...object, required };
  if (required.length === 0) delete copy.required;
  return copy;
}

/**
 * The onRoute hook: completes a route's schema with its security, its error responses and optional
 * defaulted parameters, and refuses an /api route without an operationId. Hidden routes (the document
 * itself, the docs UI) are left alone.
 */
export function completeRouteSchema(route: RouteOptions): void {
  if (route.schema?.hide) return;
  // A published operation without a name breaks every generated client's method names: refused at
  // start-up, so it cannot be merged unnoticed (HEAD copies of GET routes are not published).
  if (route.url.startsWith("/api/") && route.method !== "HEAD" && !route.schema?.operationId)
    throw new Error(`${String(route.method)} ${route.url} has no schema.operationId (camelCase, unique: e.g. placeOrder); see docs/api.md`);
  const schema = (route.schema ??= {}) as Record<string, unknown> & { response?: Record<string, unknown> };
  if (schema.security === undefined) schema.security = authorizes(route) ? [{ bearer: [] }] : [];
  const secured = (schema.security as unknown[]).length > 0;
  for (const part of ["querystring", "headers", "body"] as const) {
    if (schema[part]) schema[part] = withoutDefaultedRequired(schema[part]);
  }
  const response = { ...(schema.response ?? {}) };
  // A success the route did not describe gets its status's name, not @fastify/swagger's "Default Response".
  for (const [status, entry] of Object.entries(response)) {
    const described = entry && typeof entry === "object" && "description" in entry;
    if (/^2/.test(status) && !described)
      response[status] = { ...(entry as object), description: STATUS_CODES[Number(status)] ?? "Success" };
  }
  for (const status of platformStatuses(route, secured)) response[status] ??= problemResponse(status);
  schema.response = response;
}
