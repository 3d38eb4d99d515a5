import { STATUS_CODES } from "node:http";
import type { Socket } from "node:net";
import type { FastifyError, FastifyReply, FastifyRequest } from "fastify";
import { RejectionError } from "../result.js";
import { databaseProblem } from "./database-errors.js";
import { problem, sendProblem, type Problem, type ProblemMapper } from "./problem.js";

/** An error that already knows the problem it answers (rate limiting, the text rule). */
export class ProblemError extends Error {
  readonly statusCode: number;
  constructor(readonly problem: Problem) {
    super(problem.detail ?? problem.code);
    this.statusCode = problem.status;
  }
}

interface ValidationIssue {
  instancePath: string;
  message?: string;
  params?: Record<string, unknown>;
}

function validationProblem(error: { validation: ValidationIssue[]; validationContext?: string }): Problem {
  const errors = error.validation.map((e) => ({
    path: `${error.validationContext ?? "body"}${e.instancePath}${e.params?.additionalProperty ? `/${String(e.params.additionalProperty)}` : ""}${e.params?.missingProperty ? `/${String(e.params.missingProperty)}` : ""}`,
    message: e.message ?? "is invalid",
  }));
  return problem(400, "REQUEST.VALIDATION_FAILED", "the request does not match the schema", { errors });
}

/**
 * The one place an error becomes an HTTP answer: business rejections by their code, schema and parser
 * errors as 400s, database refusals that input caused as 4xx, and only what is left as a 500.
 */
export function errorHandler(problems: ProblemMapper) {
  return (error: any, request: FastifyRequest, reply: FastifyReply) => {
    if (error instanceof RejectionError) return sendProblem(reply, problems.fromRejection(error.rejection));
    if (error instanceof ProblemError) return sendProblem(reply, error.problem);
    if (error.validation) return sendProblem(reply, validationProblem(error));
    if (error.code === "FST_ERR_CTP_INVALID_JSON_BODY" || error instanceof SyntaxError || error.code === "FST_ERR_CTP_EMPTY_JSON_BODY") {
      return sendProblem(reply, problem(400, "REQUEST.MALFORMED_JSON", "the body is not valid JSON"));
    }
    if (error.code === "FST_ERR_CTP_INVALID_MEDIA_TYPE")
      return sendProblem(reply, problem(415, "REQUEST.UNSUPPORTED_MEDIA_TYPE", "send application/json"));
    if (error.code === "FST_ERR_CTP_BODY_TOO_LARGE") return sendProblem(reply, problem(413, "REQUEST.TOO_LARGE", "the body is too large"));
    const fromDatabase = databaseProblem(error);
    if (fromDatabase) {
      // Logged: a constraint is the last line, so reaching it means a schema or a rule let something through.
      request.log.warn(
        { sqlstate: error.code, constraint: error.constraint, route: request.routeOptions.url },
        "database refused the request's input",
      );
      return sendProblem(reply, fromDatabase);
    }
    if (typeof error.statusCode === "number" && error.statusCode >= 400 && error.statusCode < 500) {
      return sendProblem(reply, problem(error.statusCode, "REQUEST.INVALID", error.message));
    }
    request.log.error({ err: error }, "unhandled error");
    return sendProblem(reply, problem(500, "INTERNAL", "an unexpected error occurred; it has been logged"));
  };
}

/** Errors the router raises before any route runs (Fastify's `frameworkErrors`): problems too. */
export function frameworkErrors(error: FastifyError, _request: FastifyRequest, reply: FastifyReply): void {
  if (error.code === "FST_ERR_BAD_URL") sendProblem(reply, problem(400, "REQUEST.BAD_URL", "the URL is not validly encoded"));
  else if (error.code === "FST_ERR_MAX_PARAM_LENGTH")
    sendProblem(reply, problem(414, "REQUEST.URI_TOO_LONG", "a path segment is too long"));
  else sendProblem(reply, problem(400, "REQUEST.INVALID", "the request could not be routed"));
}

/**
 * What the HTTP parser refuses (bad header bytes, headers too large, a timeout) never reaches
 * Fastify: the answer is written on the socket, as a problem like every other error.
 */
export function clientErrorHandler(error: NodeJS.ErrnoException, socket: Socket): void {
  if (error.code === "ECONNRESET" || socket.destroyed) return;
  const [status, code, detail] =
    error.code === "ERR_HTTP_REQUEST_TIMEOUT"
      ? [408, "REQUEST.TIMEOUT", "the request was not received in time"]
      : error.code === "HPE_HEADER_OVERFLOW"
        ? [431, "REQUEST.HEADERS_TOO_LARGE", "the request headers are too large"]
        : error.code === "HPE_URI_TOO_LONG"
          ? [414, "REQUEST.URI_TOO_LONG", "the URL is too long"]
          : [400, "REQUEST.MALFORMED", "the request is not valid HTTP"];
  const body = JSON.stringify(problem(status, code, detail));
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nContent-Type: application/problem+json\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy(error);
}
