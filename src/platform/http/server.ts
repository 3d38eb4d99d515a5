import Fastify, { LogController, type FastifyInstance, type FastifyRequest, type preValidationAsyncHookHandler } from "fastify";
import swagger from "@fastify/swagger";
import swaggerUi from "@fastify/swagger-ui";
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import { Ajv } from "ajv";
import addFormatsModule from "ajv-formats";
import type { Logger } from "pino";
import { newId } from "../ids.js";
import type { Metrics } from "../metrics.js";
import type { HttpConfig } from "../config.js";
import { RejectionError } from "../result.js";
import { hasRole, type Authenticator, type Principal, type Role } from "./auth.js";
import { registerEdge } from "./edge.js";
import { clientErrorHandler, errorHandler, frameworkErrors, ProblemError } from "./error-handler.js";
import { unstorableTextPaths } from "./hostile-text.js";
import { problem, sendProblem, type ProblemMapper } from "./problem.js";
import { completeRouteSchema, markAuthorizing, ProblemSchema } from "./openapi.js";
import { openapiOptions } from "./openapi-document.js";
import { validateResponses } from "./response-contract.js";
import { traceRequest } from "./request-context.js";

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
  config: HttpConfig;
}

/** Headers whose values are stored (idempotency records, event metadata). */
const STORED_HEADERS = ["idempotency-key", "x-correlation-id", "x-request-id"] as const;

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

function makeAjv(coerce: boolean): Ajv {
  // Bodies are strict (a string "5" is not a number, unknown fields stay errors); query strings and
  // path params are text by nature and are coerced.
  const ajv = new Ajv({
    removeAdditional: false,
    useDefaults: true,
    coerceTypes: coerce ? "array" : false,
    allErrors: true,
    strict: false,
  });
  addFormats(ajv);
  return ajv;
}

export async function buildHttpServer(deps: HttpDeps): Promise<HttpServer> {
  const server = Fastify({
    loggerInstance: deps.logger,
    genReqId: (req) =>
      typeof req.headers["x-request-id"] === "string" && req.headers["x-request-id"].length <= 128
        ? req.headers["x-request-id"]
        : newId("req"),
    // Our onResponse hook logs one line per request with the route and correlationId instead.
    logController: new LogController({ requestIdLogLabel: "requestId", disableRequestLogging: true }),
    bodyLimit: 2 * 1024 * 1024,
    // Past the longest id a schema accepts (200), so a long id gets the schema's 400, not a 414.
    routerOptions: { maxParamLength: 512 },
    frameworkErrors,
    clientErrorHandler,
  }).withTypeProvider<TypeBoxTypeProvider>();

  const strict = makeAjv(false);
  const coercing = makeAjv(true);
  server.setValidatorCompiler(({ schema, httpPart }) => (httpPart === "body" ? strict : coercing).compile(schema));

  server.addHook("onRequest", async (request, reply) => {
    const header = request.headers["x-correlation-id"];
    request.correlationId = typeof header === "string" && header.length > 0 && header.length <= 128 ? header : request.id;
    request.log = request.log.child({ correlationId: request.correlationId });
    reply.header("x-request-id", request.id);
    traceRequest(request, reply);
  });
  server.addHook("onResponse", async (request, reply) => {
    const route = request.routeOptions.url ?? "unmatched";
    deps.metrics.httpDuration.observe({ method: request.method, route, status: String(reply.statusCode) }, reply.elapsedTime / 1000);
    if (reply.statusCode >= 500) request.log.error({ route, status: reply.statusCode }, "request failed");
    else request.log.debug({ route, status: reply.statusCode, ms: reply.elapsedTime }, "request");
  });

  // Before any route is added: every route's schema gets its security and error answers (openapi.ts),
  // and, in the test suite, every answer is checked against them.
  server.addSchema(ProblemSchema);
  server.addHook("onRoute", completeRouteSchema);
  if (deps.config.validateResponses) validateResponses(server);
  server.setErrorHandler(errorHandler(deps.problems));
  await registerEdge(server, deps.config, (authorization) =>
    deps.authenticator.verify(authorization).then(
      () => true,
      () => false,
    ),
  );
  // The one text rule (DESIGN.md §8): every route, before its token is checked and before anything
  // touches the database. Route-level preValidation hooks (authorize) run after this global one.
  server.addHook("preValidation", async (request) => {
    const paths = [
      ...unstorableTextPaths(request.params, "params"),
      ...unstorableTextPaths(request.query, "querystring"),
      ...unstorableTextPaths(request.body, "body"),
      ...STORED_HEADERS.flatMap((name) => unstorableTextPaths(request.headers[name], `headers/${name}`)),
    ];
    if (paths.length > 0) {
      const message = "holds U+0000 or a lone surrogate, which no text can store";
      throw new ProblemError(
        problem(400, "REQUEST.INVALID_TEXT", "the request holds text that cannot be stored", {
          errors: paths.map((path) => ({ path, message })),
        }),
      );
    }
  });
  server.setNotFoundHandler((request, reply) =>
    sendProblem(reply, problem(404, "ROUTE.NOT_FOUND", `no route ${request.method} ${request.url.split("?")[0]}`)),
  );

  await server.register(swagger, openapiOptions);
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
  return markAuthorizing(async (request: FastifyRequest) => {
    const principal = await authenticator.verify(request.headers.authorization);
    if (roles.length > 0 && !hasRole(principal, ...roles)) {
      throw new RejectionError({ code: "AUTH.FORBIDDEN", detail: `this action needs one of the roles: ${roles.join(", ")}` });
    }
    request.principal = principal;
  });
}

export function principalOf(request: FastifyRequest): Principal {
  if (!request.principal) throw new Error("route read the principal without an authorize() hook");
  return request.principal;
}
