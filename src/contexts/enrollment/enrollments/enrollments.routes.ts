import { decodeKeyCursor, encodeKeyCursor } from "../../../platform/http/cursor.js";
import { Type } from "@sinclair/typebox";
import type { Authenticator } from "../../../platform/http/auth.js";
import { idempotent, keyedRequest } from "../../../platform/http/idempotency.js";
import { authorize, principalOf, type HttpServer } from "../../../platform/http/server.js";
import { eventContextOf } from "../../../platform/http/request-context.js";
import { unwrap } from "../../../platform/result.js";
import { refuse } from "../errors.js";
import type { EnrollmentDeps } from "../enrollment-deps.js";
import { mayActOn, readerScope } from "../reader-scope.js";
import { EnrollmentView, viewOf } from "./enrollment-view.js";
import { listEnrollments, loadEnrollment } from "./enrollments.sql.js";
import { unenroll } from "./unenroll.js";
import { Component, Cursor, Id, Nullable } from "../../../platform/http/schemas.js";
import { IdempotencyKeyHeader } from "../../../platform/http/idempotency.js";
import { Json } from "../../../platform/http/openapi.js";

const IdParams = Type.Object({ id: Id }, { additionalProperties: false });

// A cursor is the last id served; one this endpoint did not issue is a 400 (REQUEST.CURSOR_INVALID).
const encodeCursor = encodeKeyCursor;
const decodeCursor = decodeKeyCursor;

export function enrollmentRoutes(server: HttpServer, deps: EnrollmentDeps, authenticator: Authenticator): void {
  const { kernel } = deps;
  const Enrollment = Component(server, "Enrollment", EnrollmentView);

  server.get(
    "/api/v1/enrollments",
    {
      preValidation: authorize(authenticator),
      schema: {
        tags: ["enrollment"],
        operationId: "listEnrollments",
        summary: "A learner's enrollments (learners: their own; org admins: their tenant)",
        description:
          "A learner sees their own enrollments (naming another userId is 403); an org admin their tenant's, a platform admin or service " +
          "every tenant's; userId and courseId narrow the list. Ordered by enrollmentId, paged with limit and cursor.",
        security: [{ bearer: [] }],
        querystring: Type.Object(
          {
            userId: Type.Optional(Id),
            courseId: Type.Optional(Id),
            limit: Type.Integer({ minimum: 1, maximum: 200, default: 50 }),
            cursor: Type.Optional(Cursor()),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Json(
            Type.Object({ items: Type.Array(Enrollment), nextCursor: Nullable(Type.String()) }, { additionalProperties: false }),
            "A page of enrollments; nextCursor is null on the last page",
          ),
        },
      },
    },
    async (request) => {
      const { courseId, limit, cursor } = request.query;
      const scope = unwrap(readerScope(principalOf(request), request.query.userId));
      const rows = await kernel.db.tx(
        (tx) => listEnrollments(tx, { userId: scope.userId, courseId, after: cursor ? decodeCursor(cursor) : undefined, limit: limit + 1 }),
        { tenantId: scope.tenantId },
      );
      const page = rows.slice(0, limit);
      return { items: page.map(viewOf), nextCursor: rows.length > limit ? encodeCursor(page[page.length - 1]!.id) : null };
    },
  );

  server.get(
    "/api/v1/enrollments/:id",
    {
      preValidation: authorize(authenticator),
      schema: {
        tags: ["enrollment"],
        operationId: "getEnrollment",
        summary: "One enrollment",
        description: "The learner it belongs to, an org admin of its tenant, or a platform admin or service; another learner gets 403.",
        security: [{ bearer: [] }],
        params: IdParams,
        response: { 200: Json(Enrollment, "The enrollment") },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      const scope = unwrap(readerScope(principal, undefined));
      const enrollment = await kernel.db.tx((tx) => loadEnrollment(tx, request.params.id), { tenantId: scope.tenantId });
      if (!enrollment) throw refuse({ code: "ENROLLMENT.NOT_FOUND", detail: "no such enrollment" });
      if (!mayActOn(principal, enrollment.userId)) throw refuse({ code: "AUTH.FORBIDDEN", detail: "this is another learner's enrollment" });
      return viewOf(enrollment);
    },
  );

  server.post(
    "/api/v1/enrollments/:id/unenroll",
    {
      preValidation: authorize(authenticator),
      schema: {
        tags: ["enrollment"],
        operationId: "unenroll",
        summary: "The learner leaves the course (status revoked, unenrolled: true); Idempotency-Key honoured",
        description:
          "The learner (or an org admin, platform admin or service for them) ends an active enrollment: it is revoked with unenrolled: true, " +
          "and default enrollments will not enroll the learner in that course again. The same Idempotency-Key replays the first answer.",
        security: [{ bearer: [] }],
        headers: IdempotencyKeyHeader,
        params: IdParams,
        response: { 200: Json(Enrollment, "The enrollment, now revoked") },
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      const scope = unwrap(readerScope(principal, undefined));
      const keyed = keyedRequest(request, principal, request.body ?? null);
      const result = await idempotent(kernel.db, keyed, { required: false, tenantId: scope.tenantId }, async (tx) => {
        const enrollment = await unenroll(deps, tx, principal, request.params.id, eventContextOf(request, principal));
        return { status: 200, body: viewOf(enrollment) };
      });
      return reply.code(200).send(result.body); // the first answer, replayed for a repeated key
    },
  );
}
