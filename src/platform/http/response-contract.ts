import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { Ajv, type ErrorObject, type ValidateFunction } from "ajv";
import addFormatsModule from "ajv-formats";
import { problem, type Problem } from "./problem.js";
import { PROBLEM_MEDIA_TYPE, ProblemSchema } from "./openapi.js";

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

interface ResponseEntry {
  content?: Record<string, { schema?: unknown }>;
  [key: string]: unknown;
}

type Verdict = { ok: true } | { ok: false; why: string; errors: Array<{ path: string; message: string }> };

const mediaTypeOf = (header: unknown): string =>
  String(header ?? "")
    .split(";")[0]!
    .trim()
    .toLowerCase();

const issues = (errors: ErrorObject[] | null | undefined) =>
  (errors ?? []).map((e) => ({ path: `response${e.instancePath}`, message: e.message ?? "is invalid" }));

/**
 * HTTP_VALIDATE_RESPONSES=on (the test suite; off in production, it costs a parse per response):
 * every response is checked, after serialization (what goes on the wire: fast-json-stringify drops
 * what a schema does not name), against what the OpenAPI document says the route answers with that
 * status. An undocumented status or a body that does not match becomes a 500 RESPONSE.CONTRACT_BROKEN
 * naming the route and the errors, logged at error: the test that made the request fails, so the
 * document cannot drift from the code. Requests no route matched are checked against Problem.
 */
export function validateResponses(server: FastifyInstance<any, any, any, any, any>): void {
  const ajv = new Ajv({ strict: false, allErrors: true, coerceTypes: false, useDefaults: false, removeAdditional: false });
  addFormats(ajv);
  ajv.addSchema(ProblemSchema);
  const problemValidator = ajv.getSchema("Problem")!;
  // Compiled once per route's response map and (status, media type).
  const compiled = new WeakMap<object, Map<string, ValidateFunction | null>>();

  const validatorFor = (
    responses: Record<string, unknown>,
    status: number,
    mediaType: string,
  ): ValidateFunction | null | "undocumented" => {
    let cache = compiled.get(responses);
    if (!cache) compiled.set(responses, (cache = new Map()));
    const key = `${status} ${mediaType}`;
    if (cache.has(key)) return cache.get(key)!;
    const entry = (responses[status] ?? responses[`${String(status)[0]}xx`]) as ResponseEntry | undefined;
    if (entry === undefined) return "undocumented";
    let schema: unknown = entry;
    if (entry.content && typeof entry.content === "object" && !("type" in entry)) {
      const media = entry.content[mediaType] ?? entry.content["*/*"];
      if (!media) return "undocumented";
      schema = media.schema;
    }
    // Shared schemas (components: Order, License…) are added to the server with the routes; a route's schema refers to them by $id.
    for (const shared of Object.values(server.getSchemas()) as Array<{ $id?: string }>)
      if (shared.$id && !ajv.getSchema(shared.$id)) ajv.addSchema(shared);
    const validator = schema ? ajv.compile(schema as object) : null;
    cache.set(key, validator);
    return validator;
  };

  const check = (request: FastifyRequest, reply: FastifyReply, payload: unknown): Verdict => {
    const status = reply.statusCode;
    const mediaType = mediaTypeOf(reply.getHeader("content-type"));
    const routeSchema = request.routeOptions.schema as { hide?: boolean; response?: Record<string, unknown> } | undefined;
    const matched = request.routeOptions.url !== undefined;
    // Hidden routes (the document itself, the docs UI) are not in the contract unless they state responses.
    if (matched && routeSchema?.hide && !routeSchema.response) return { ok: true };
    const body = typeof payload === "string" ? payload : Buffer.isBuffer(payload) ? payload.toString("utf8") : undefined;
    if (!matched) {
      if (body === undefined || mediaType !== PROBLEM_MEDIA_TYPE)
        return { ok: false, why: "an unmatched request was not answered with a Problem", errors: [] };
      return problemValidator(JSON.parse(body))
        ? { ok: true }
        : { ok: false, why: "not a Problem", errors: issues(problemValidator.errors) };
    }
    const validator = validatorFor(routeSchema?.response ?? {}, status, mediaType);
    if (validator === "undocumented")
      return { ok: false, why: `status ${status} (${mediaType || "no content type"}) is not documented for this route`, errors: [] };
    if (status === 204 || validator === null) return { ok: true };
    if (!mediaType.includes("json")) return { ok: true }; // text (metrics): its status and media type are what the document states
    if (body === undefined) return { ok: false, why: "a JSON response was not serialized to text", errors: [] };
    return validator(body === "" ? null : JSON.parse(body))
      ? { ok: true }
      : { ok: false, why: "the body does not match the schema", errors: issues(validator.errors) };
  };

  server.addHook("onSend", async (request, reply, payload) => {
    let verdict: Verdict;
    try {
      verdict = check(request, reply, payload);
    } catch (error) {
      verdict = { ok: false, why: `the body could not be checked: ${(error as Error).message}`, errors: [] };
    }
    if (verdict.ok) return payload;
    const route = `${request.method} ${request.routeOptions.url ?? request.url}`;
    const broken: Problem = problem(500, "RESPONSE.CONTRACT_BROKEN", `${route} answered ${reply.statusCode}: ${verdict.why}`, {
      errors: verdict.errors,
      sentStatus: reply.statusCode,
      sent: typeof payload === "string" ? payload.slice(0, 2000) : undefined,
    });
    request.log.error(
      { route, status: reply.statusCode, why: verdict.why, errors: verdict.errors },
      "response breaks the OpenAPI contract",
    );
    reply.code(500).type(PROBLEM_MEDIA_TYPE);
    return JSON.stringify(broken);
  });
}
