import type { FastifyReply } from "fastify";
import type { Rejection } from "../result.js";

/** RFC 9457 problem details with our stable `code` (API.md "Errors"). */
export interface Problem {
  type: string;
  title: string;
  status: number;
  code: string;
  detail?: string;
  instance?: string;
  errors?: Array<{ path: string; message: string }>;
  [extra: string]: unknown;
}

const TITLES: Record<number, string> = {
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  408: "Request Timeout",
  409: "Conflict",
  413: "Payload Too Large",
  414: "URI Too Long",
  415: "Unsupported Media Type",
  422: "Unprocessable Content",
  429: "Too Many Requests",
  431: "Request Header Fields Too Large",
  500: "Internal Server Error",
  503: "Service Unavailable",
};

export function problem(status: number, code: string, detail?: string, extra: Partial<Problem> = {}): Problem {
  return {
    type: `https://ghasi.dev/problems/${code.toLowerCase().replaceAll(".", "-").replaceAll("_", "-")}`,
    title: TITLES[status] ?? "Error",
    status,
    code,
    ...(detail ? { detail } : {}),
    ...extra,
  };
}

/** The single place where a business code becomes an HTTP status. */
export class ProblemMapper {
  constructor(private readonly statuses: Readonly<Record<string, number>>) {}

  statusOf(code: string): number {
    const status = this.statuses[code];
    if (status === undefined) throw new Error(`rejection code ${code} has no HTTP status: add it to the status table`);
    return status;
  }

  fromRejection(rejection: Rejection): Problem {
    return problem(this.statusOf(rejection.code), rejection.code, rejection.detail, {
      ...(rejection.field ? { errors: [{ path: rejection.field, message: rejection.detail ?? rejection.code }] } : {}),
      ...rejection.extra,
    });
  }
}

export function sendProblem(reply: FastifyReply, body: Problem): FastifyReply {
  return reply.code(body.status).type("application/problem+json").send(body);
}
