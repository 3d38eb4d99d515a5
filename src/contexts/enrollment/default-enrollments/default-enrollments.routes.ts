import { Type } from "@sinclair/typebox";
import type { Authenticator, Principal } from "../../../platform/http/auth.js";
import { hasRole } from "../../../platform/http/auth.js";
import { decodeTimeCursor, encodeTimeCursor } from "../../../platform/http/cursor.js";
import { idempotent, keyedRequest } from "../../../platform/http/idempotency.js";
import { authorize, principalOf, type HttpServer } from "../../../platform/http/server.js";
import { eventContextOf } from "../../../platform/http/request-context.js";
import { refuse } from "../errors.js";
import type { Intention } from "./default-enrollment.domain.js";
import { intentionsPage } from "./default-enrollments.sql.js";
import { LearnerStatusView, learnerStatus } from "./learner-status.js";
import { addIntention, deleteIntention, requireEnterprise } from "./manage-intentions.js";
import { realizeForLearner, type DefaultEnrollmentDeps } from "./realize-default-enrollments.js";
import { Cursor, Id, Nullable, Text } from "../../../platform/http/schemas.js";
import { IdempotencyKeyHeader } from "../../../platform/http/idempotency.js";
import { Json } from "../../../platform/http/openapi.js";

const TenantParams = Type.Object({ tenantId: Id }, { additionalProperties: false });
const IntentionParams = Type.Object({ tenantId: Id, intentionId: Id }, { additionalProperties: false });
const LearnerParams = Type.Object({ tenantId: Id, userId: Id }, { additionalProperties: false });

const IntentionView = Type.Object(
  {
    intentionId: Type.String(),
    tenantId: Type.String(),
    contentKey: Type.String({ description: "the course id or run key the enterprise named" }),
    contentType: Type.Union([Type.Literal("course"), Type.Literal("course_run")]),
    courseId: Type.String(),
    createdAt: Type.String({ format: "date-time" }),
    removedAt: Nullable(Type.String({ format: "date-time" })),
    restored: Type.Optional(Type.Boolean({ description: "in the answer to an add: whether a removed intention was brought back" })),
  },
  { additionalProperties: false },
);

const viewOf = (i: Intention) => ({
  intentionId: i.intentionId,
  tenantId: i.tenantId,
  contentKey: i.contentKey,
  contentType: i.contentType,
  courseId: i.courseId,
  createdAt: i.createdAt.toISOString(),
  removedAt: i.removedAt ? i.removedAt.toISOString() : null,
});

/** platform_admin, or an org_admin of this enterprise (token tid). */
function mayConfigure(principal: Principal, tenantId: string): void {
  if (hasRole(principal, "platform_admin")) return;
  if (hasRole(principal, "org_admin") && principal.tenantId === tenantId) return;
  throw refuse({ code: "AUTH.FORBIDDEN", detail: "only this enterprise's org admins or a platform admin may do this" });
}

/** The above, services, and the learner themself. */
function maySeeLearner(principal: Principal, tenantId: string, userId: string): void {
  if (hasRole(principal, "platform_admin", "service")) return;
  if (hasRole(principal, "org_admin") && principal.tenantId === tenantId) return;
  if (principal.userId === userId) return;
  throw refuse({
    code: "AUTH.FORBIDDEN",
    detail: "only the learner, this enterprise's org admins or a platform admin may see this",
  });
}

export function defaultEnrollmentRoutes(server: HttpServer, deps: DefaultEnrollmentDeps, authenticator: Authenticator): void {
  const { kernel } = deps;
  const tags = ["enrollment"];
  const security = [{ bearer: [] }];
  const base = "/api/v1/enterprises/:tenantId";

  server.post(
    `${base}/default-enrollment-intentions`,
    {
      preValidation: authorize(authenticator),
      schema: {
        tags,
        operationId: "addDefaultEnrollmentIntention",
        summary: "Add a default enrollment intention (content type derived from the catalog); restore: true brings a removed one back",
        description:
          "An org admin of the enterprise (or a platform admin) names a course or run every member should be enrolled in. 201 for a new " +
          "intention, 200 when restore: true brought a removed one back; an intention that exists is 409. Idempotency-Key accepted.",
        security,
        headers: IdempotencyKeyHeader,
        params: TenantParams,
        body: Type.Object({ contentKey: Text(300), restore: Type.Optional(Type.Boolean()) }, { additionalProperties: false }),
        response: {
          200: Json(IntentionView, "A removed intention, restored (restored: true)"),
          201: Json(IntentionView, "The new intention"),
        },
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      const { tenantId } = request.params;
      mayConfigure(principal, tenantId);
      const result = await idempotent(kernel.db, keyedRequest(request, principal), { required: false, tenantId }, async (tx) => {
        const { intention, restored } = await addIntention(deps, tx, {
          tenantId,
          contentKey: request.body.contentKey,
          restore: request.body.restore === true,
          actor: principal.userId,
        });
        return { status: restored ? 200 : 201, body: { ...viewOf(intention), restored } };
      });
      return reply.code(result.status as 200 | 201).send(result.body as never);
    },
  );

  server.get(
    `${base}/default-enrollment-intentions`,
    {
      preValidation: authorize(authenticator),
      schema: {
        tags,
        operationId: "listDefaultEnrollmentIntentions",
        description: "An org admin of the enterprise or a platform admin; oldest first.",
        summary:
          "The enterprise's default enrollment intentions (?includeRemoved=true adds soft-deleted ones with removedAt; ?limit=&cursor= pages)",
        security,
        params: TenantParams,
        querystring: Type.Object(
          {
            includeRemoved: Type.Boolean({ default: false }),
            limit: Type.Integer({ minimum: 1, maximum: 200, default: 50 }),
            cursor: Type.Optional(Cursor()),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Json(
            Type.Object({ items: Type.Array(IntentionView), nextCursor: Nullable(Type.String()) }, { additionalProperties: false }),
            "A page of intentions; nextCursor is null on the last page",
          ),
        },
      },
    },
    async (request) => {
      const { tenantId } = request.params;
      const { includeRemoved, limit, cursor } = request.query;
      mayConfigure(principalOf(request), tenantId);
      const after = cursor === undefined ? undefined : decodeTimeCursor(cursor);
      const rows = await kernel.db.tx(
        async (tx) => {
          await requireEnterprise(deps, tx, tenantId);
          return intentionsPage(tx, tenantId, { includeRemoved, after, limit: limit + 1 });
        },
        { tenantId },
      );
      const page = rows.slice(0, limit);
      const last = page.at(-1);
      return {
        items: page.map(viewOf),
        nextCursor: rows.length > limit && last ? encodeTimeCursor(last.createdAt, last.intentionId) : null,
      };
    },
  );

  server.delete(
    `${base}/default-enrollment-intentions/:intentionId`,
    {
      preValidation: authorize(authenticator),
      schema: {
        tags,
        operationId: "removeDefaultEnrollmentIntention",
        summary: "Soft-delete an intention (kept, listed with removedAt)",
        description: "An org admin of the enterprise or a platform admin. Answers the removed intention.",
        security,
        params: IntentionParams,
        response: { 200: Json(IntentionView, "The intention, removed") },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      const { tenantId, intentionId } = request.params;
      mayConfigure(principal, tenantId);
      const removed = await kernel.db.tx((tx) => deleteIntention(deps, tx, { tenantId, intentionId, actor: principal.userId }), {
        tenantId,
      });
      return viewOf(removed);
    },
  );

  server.get(
    `${base}/learners/:userId/default-enrollments`,
    {
      preValidation: authorize(authenticator),
      schema: {
        tags,
        operationId: "getLearnerDefaultEnrollments",
        description: "The learner themself, an org admin of the enterprise, a platform admin or a service.",
        summary:
          "The learner's status per intention: already_enrolled, needs_enrollment.enrollable, needs_enrollment.not_enrollable (with reason)",
        security,
        params: LearnerParams,
        response: { 200: Json(LearnerStatusView, "The learner's status per active intention") },
      },
    },
    async (request) => {
      const { tenantId, userId } = request.params;
      maySeeLearner(principalOf(request), tenantId, userId);
      return kernel.db.tx(
        async (tx) => {
          await requireEnterprise(deps, tx, tenantId);
          return learnerStatus(deps, tx, tenantId, userId);
        },
        { tenantId },
      );
    },
  );

  server.post(
    `${base}/learners/:userId/default-enrollments/realize`,
    {
      preValidation: authorize(authenticator),
      schema: {
        tags,
        operationId: "realizeLearnerDefaultEnrollments",
        summary: "Realize the learner's applicable default enrollments now (idempotent: realized intentions stay as they are)",
        description:
          "Who may read the learner's status may realize it: every enrollable intention enrolls the learner now; the learner must be a member " +
          "of the enterprise (422 DEFAULT_ENROLLMENT.NOT_A_MEMBER). `realized` names the intentions realized by this call (empty on a repeat).",
        security,
        params: LearnerParams,
        response: {
          200: Json(
            Type.Object({
              tenantId: Type.String(),
              userId: Type.String(),
              realized: Type.Array(Type.String(), { description: "intentionIds realized by this call" }),
              items: LearnerStatusView.properties.items,
            }),
            "What this call realized, and the learner's status per intention after it",
          ),
        },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      const { tenantId, userId } = request.params;
      maySeeLearner(principal, tenantId, userId);
      const result = await kernel.db.tx(
        async (tx) => {
          await requireEnterprise(deps, tx, tenantId);
          if (!(await deps.ports.enterprises.isMember(tx, tenantId, userId)))
            throw refuse({
              code: "DEFAULT_ENROLLMENT.NOT_A_MEMBER",
              detail: `${userId} is not a member of ${tenantId}`,
              field: "userId",
            });
          const { realized } = await realizeForLearner(deps, tx, tenantId, userId, eventContextOf(request, principal));
          return { realized: realized.map((r) => r.intentionId), status: await learnerStatus(deps, tx, tenantId, userId) };
        },
        { tenantId },
      );
      // `realized`: the intentions realized by this call (empty on a repeat).
      return { tenantId, userId, realized: result.realized, items: result.status.items };
    },
  );
}
