import Fastify, { LogController, type FastifyInstance, type FastifyRequest, type preValidationAsyncHookHandler } from "fastify";
import swagger from "@fastify/swagger";
import swaggerUi from "@fastify/swagger-ui";
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import { Ajv } from "ajv";
import addFormatsModule from "ajv-formats";
import type { Logger } from "pino";
import { newId } from "../ids.js";
import type { Metrics } from "../metrics.js";
import { RejectionError } from "../result.js";
import { hasRole, type Authenticator, type Principal, type Role } from "./auth.js";
import { problem, sendProblem, type ProblemMapper } from "./problem.js";

declare module "fastify" {
  interface FastifyRequest {
    principal?: Principal;
    correlationId: string;
  }
}

export type HttpServer = FastifyInstance<any, any, any, any, TypeBoxTypeProvider>;

export interface HttpDeps {
  logger: Logger;
  authenticator: Authenticator;
  problems: ProblemMapper;
  metrics: Metrics;
}

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

function makeAjv(coerce: boolean): Ajv {
  // Bodies are strict (a string "5" is not a number, unknown fields stay errors); query strings and
  // path params are text by nature and are coerced.
  const ajv = new Ajv({ removeAdditional: false, useDefaults: true, coerceTypes: coerce ? "array" : false, allErrors: true, strict: false });
  addFormats(ajv);
  return ajv;
}

export async function buildHttpServer(deps: HttpDeps): Promise<HttpServer> {
  const server = Fastify({
    loggerInstance: deps.logger,
    genReqId: (req) => (typeof req.headers["x-request-id"] === "string" && req.headers["x-request-id"].length <= 128 ? req.headers["x-request-id"] : newId("req")),
    // Our onResponse hook logs one line per request with the route and correlationId instead.
    logController: new LogController({ requestIdLogLabel: "requestId", disableRequestLogging: true }),
    bodyLimit: 2 * 1024 * 1024,
  }).withTypeProvider<TypeBoxTypeProvider>();

  const strict = makeAjv(false);
  const coercing = makeAjv(true);
  server.setValidatorCompiler(({ schema, httpPart }) => (httpPart === "body" ? strict : coercing).compile(schema));

  server.addHook("onRequest", async (request, reply) => {
    const header = request.headers["x-correlation-id"];
    request.correlationId = typeof header === "string" && header.length > 0 && header.length <= 128 ? header : request.id;
    request.log = request.log.child({ correlationId: request.correlationId });
    reply.header("x-request-id", request.id);
  });
  server.addHook("onResponse", async (request, reply) => {
    const route = request.routeOptions.url ?? "unmatched";
    deps.metrics.httpDuration.observe({ method: request.method, route, status: String(reply.statusCode) }, reply.elapsedTime / 1000);
    if (reply.statusCode >= 500) request.log.error({ route, status: reply.statusCode }, "request failed");
    else request.log.debug({ route, status: reply.statusCode, ms: reply.elapsedTime }, "request");
  });

  server.setErrorHandler((error: any, request, reply) => {
    if (error instanceof RejectionError) return sendProblem(reply, deps.problems.fromRejection(error.rejection));
    if (error.validation) {
      const errors = (error.validation as Array<{ instancePath: string; message?: string; params?: Record<string, unknown> }>).map((e) => ({
        path: `${error.validationContext ?? "body"}${e.instancePath}${e.params?.additionalProperty ? `/${String(e.params.additionalProperty)}` : ""}${e.params?.missingProperty ? `/${String(e.params.missingProperty)}` : ""}`,
        message: e.message ?? "is invalid",
      }));
      return sendProblem(reply, problem(400, "REQUEST.VALIDATION_FAILED", "the request does not match the schema", { errors }));
    }
    if (error.code === "FST_ERR_CTP_INVALID_JSON_BODY" || error instanceof SyntaxError || error.code === "FST_ERR_CTP_EMPTY_JSON_BODY") {
      return sendProblem(reply, problem(400, "REQUEST.MALFORMED_JSON", "the body is not valid JSON"));
    }
    if (error.code === "FST_ERR_CTP_INVALID_MEDIA_TYPE") return sendProblem(reply, problem(415, "REQUEST.UNSUPPORTED_MEDIA_TYPE", "send application/json"));
    if (error.code === "FST_ERR_CTP_BODY_TOO_LARGE") return sendProblem(reply, problem(413, "REQUEST.TOO_LARGE", "the body is too large"));
    if (typeof error.statusCode === "number" && error.statusCode >= 400 && error.statusCode < 500) {
      return sendProblem(reply, problem(error.statusCode, "REQUEST.INVALID", error.message));
    }
    request.log.error({ err: error }, "unhandled error");
    return sendProblem(reply, problem(500, "INTERNAL", "an unexpected error occurred; it has been logged"));
  });
  server.setNotFoundHandler((request, reply) => sendProblem(reply, problem(404, "ROUTE.NOT_FOUND", `no route ${request.method} ${request.url.split("?")[0]}`)));

  await server.register(swagger, {
    openapi: {
      openapi: "3.0.3",
      info: { title: "Ghasi Commerce", version: "0.1.0", description: "Course commerce and enrollment engine. Errors are application/problem+json with a stable `code`." },
      components: { securitySchemes: { bearer: { type: "http", scheme: "bearer", bearerFormat: "JWT" } } },
    },
  });
  await server.register(swaggerUi, { routePrefix: "/docs" });
  server.get("/openapi.json", { schema: { hide: true } }, async () => server.swagger());

  return server;
}

/**
 * A hook that verifies the token and, when roles are given, requires one of them. Routes run it as
 * `preValidation`, before the body is checked: a caller without a valid token or the role gets 401
 * or 403, not a validation error that tells them about the schema (API.md: 400 / 401 / 403).
 */
export function authorize(authenticator: Authenticator, ...roles: Role[]): preValidationAsyncHookHandler {
  return async (request: FastifyRequest) => {
    const principal = await authenticator.verify(request.headers.authorization);
    if (roles.length > 0 && !hasRole(principal, ...roles)) {
      throw new RejectionError({ code: "AUTH.FORBIDDEN", detail: `this action needs one of the roles: ${roles.join(", ")}` });
    }
    request.principal = principal;
  };
}

export function principalOf(request: FastifyRequest): Principal {
  if (!request.principal) throw new Error("route read the principal without an authorize() hook");
  return request.principal;
}
