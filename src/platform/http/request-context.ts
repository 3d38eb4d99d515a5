import type { FastifyReply, FastifyRequest } from "fastify";
import type { EventContext, EventMetadata } from "../events/envelope.js";
import { continueTrace } from "../trace-context.js";
import type { Principal } from "./auth.js";

declare module "fastify" {
  interface FastifyRequest {
    /** This request's span: a child of the caller's `traceparent` header, or the root of a new trace. */
    traceparent: string;
  }
}

/**
 * Starts the request's span (onRequest, before anything can fail) and answers with it, so a caller
 * that sent no header, or an invalid one, still learns the trace id to look its events up by.
 */
export function traceRequest(request: FastifyRequest, reply: FastifyReply): void {
  request.traceparent = continueTrace(request.headers.traceparent);
  reply.header("traceparent", request.traceparent);
}

/**
 * What every event published while handling a request carries: the one place that builds it, so a
 * support agent can follow any request (requestId, traceparent) and any actor into its events.
 * `principal`: the caller, when the route is authenticated (defaults to the one authorize() set).
 */
export function requestMetadataOf(request: FastifyRequest, principal: Principal | undefined = request.principal): EventMetadata {
  const key = request.headers["idempotency-key"];
  return {
    requestId: request.id,
    ...(principal ? { actorId: principal.userId } : {}),
    ...(typeof key === "string" && key.length > 0 ? { idempotencyKey: key } : {}),
    traceparent: request.traceparent,
  };
}

/** The context of the events a request causes: its correlationId (x-correlation-id, else the request id) and metadata. */
export function eventContextOf(request: FastifyRequest, principal?: Principal): EventContext {
  return { correlationId: request.correlationId, metadata: requestMetadataOf(request, principal) };
}
