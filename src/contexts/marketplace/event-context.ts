import type { FastifyRequest } from "fastify";
import type { EventContext } from "../../platform/events/envelope.js";
import type { Principal } from "../../platform/http/auth.js";

/**
 * Correlation and audit metadata carried from the HTTP request into the events it causes. Here, not
 * in listings/, because the refund-policy routes need it too and listings/ depends on refund-policies/.
 */
export function eventContextOf(request: FastifyRequest, principal: Principal): EventContext {
  const key = request.headers["idempotency-key"];
  return {
    correlationId: request.correlationId,
    metadata: { requestId: request.id, actorId: principal.userId, ...(typeof key === "string" ? { idempotencyKey: key } : {}) },
  };
}
