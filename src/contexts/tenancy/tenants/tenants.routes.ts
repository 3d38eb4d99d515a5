import { SYSTEM_SCOPE } from "../../../platform/db/db.js";
import { Type } from "@sinclair/typebox";
import { decodeTimeCursor, encodeTimeCursor } from "../../../platform/http/cursor.js";
import { IdempotencyKeyHeader, idempotent, keyedRequest } from "../../../platform/http/idempotency.js";
import { authorize, principalOf } from "../../../platform/http/server.js";
import { eventContextOf } from "../../../platform/http/request-context.js";
import type { ModuleHost } from "../../../platform/module.js";
import { newId } from "../../../platform/ids.js";
import { TENANT_ID_PATTERN } from "../../../platform/tenant-id.js";
import { unwrap } from "../../../platform/result.js";
import { refuse } from "../errors.js";
import { addMember } from "./add-member.js";
import { mayManageTenant, TENANT_KINDS } from "./tenant.js";
import { findTenant, insertTenant, membersOf } from "./tenants.sql.js";
import { Cursor, Id, ShortText } from "../../../platform/http/schemas.js";
import { Json } from "../../../platform/http/openapi.js";
import { MemberPage, Membership, Tenant, TenantCreated } from "../tenancy-responses.js";

const Params = Type.Object({ tenantId: Id });
/** A new tenant's id has the shape every tenant id must have: `*`, a blank or a control character is a 400. */
const NewTenantId = Type.String({ pattern: TENANT_ID_PATTERN });

export function tenantRoutes({ kernel, server, authenticator }: ModuleHost): void {
  const admin = authorize(authenticator, "platform_admin");
  const managers = authorize(authenticator, "platform_admin", "org_admin");
  const tags = ["tenancy"];
  const security = [{ bearer: [] }];

  server.post(
    "/api/v1/tenants",
    {
      preValidation: admin,
      schema: {
        tags,
        operationId: "createTenant",
        summary: "Create a tenant (caller-supplied ids of upstream tenants are kept as given)",
        description:
          "Platform admins. An Idempotency-Key (optional) replays the first answer. 409 TENANT.ALREADY_EXISTS when the id is taken.",
        headers: IdempotencyKeyHeader,
        response: { 201: Json(TenantCreated, "Created (or the first answer, replayed for the same Idempotency-Key)") },
        security,
        body: Type.Object(
          {
            tenantId: Type.Optional(NewTenantId),
            name: ShortText,
            kind: Type.Union(TENANT_KINDS.map((k) => Type.Literal(k))),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      const result = await idempotent(
        kernel.db,
        keyedRequest(request, principal),
        // A platform admin creates another tenant's row: the system scope (row-level security).
        { required: false, tenantId: SYSTEM_SCOPE },
        async (tx) => {
          const tenantId = request.body.tenantId ?? newId("ten");
          const created = await insertTenant(tx, { tenantId, name: request.body.name, kind: request.body.kind, at: kernel.clock.now() });
          if (!created) throw refuse({ code: "TENANT.ALREADY_EXISTS", detail: `tenant ${tenantId} exists`, field: "body/tenantId" });
          return { status: 201, body: { tenantId, name: request.body.name, kind: request.body.kind } };
        },
      );
      return reply.code(result.status as 201).send(result.body);
    },
  );

  server.get(
    "/api/v1/tenants/:tenantId",
    {
      preValidation: managers,
      schema: {
        tags,
        operationId: "getTenant",
        summary: "A tenant",
        description: "Platform admins, or an org_admin of that tenant (403 TENANT.FORBIDDEN otherwise).",
        security,
        params: Params,
        response: { 200: Tenant },
      },
    },
    async (request) => {
      unwrap(mayManageTenant(principalOf(request), request.params.tenantId));
      const tenant = await findTenant(kernel.db, request.params.tenantId);
      if (!tenant) throw refuse({ code: "TENANT.NOT_FOUND", detail: `no tenant ${request.params.tenantId}` });
      return { tenantId: tenant.tenantId, name: tenant.name, kind: tenant.kind, createdAt: tenant.createdAt.toISOString() };
    },
  );

  server.post(
    "/api/v1/tenants/:tenantId/members",
    {
      preValidation: managers,
      schema: {
        tags,
        operationId: "addTenantMember",
        summary: "Add a member; emits tenant.member.joined.v1 the first time (201), a repeat changes nothing (200)",
        description:
          "Platform admins, or an org_admin of that tenant. Members are who a site licence covers and whom default enrollments enroll.",
        response: {
          200: Json(Membership, "Already a member: nothing changed"),
          201: Json(Membership, "Joined: tenant.member.joined.v1 published"),
        },
        security,
        params: Params,
        body: Type.Object(
          { userId: Id, email: Type.Optional(Type.String({ format: "email", maxLength: 320 })) },
          { additionalProperties: false },
        ),
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      const { tenantId } = request.params;
      unwrap(mayManageTenant(principal, tenantId));
      const { joined } = await addMember(kernel, { tenantId, ...request.body }, eventContextOf(request, principal));
      return reply.code(joined ? 201 : 200).send({ tenantId, userId: request.body.userId, joined });
    },
  );

  server.get(
    "/api/v1/tenants/:tenantId/members",
    {
      preValidation: managers,
      schema: {
        tags,
        operationId: "listTenantMembers",
        summary: "A tenant's members, in the order they joined",
        description: "Platform admins, or an org_admin of that tenant. Pages with ?limit=&cursor=; nextCursor is null on the last page.",
        response: { 200: MemberPage },
        security,
        params: Params,
        querystring: Type.Object(
          { limit: Type.Integer({ minimum: 1, maximum: 200, default: 50 }), cursor: Type.Optional(Cursor()) },
          { additionalProperties: false },
        ),
      },
    },
    async (request) => {
      const { tenantId } = request.params;
      const { limit, cursor } = request.query;
      unwrap(mayManageTenant(principalOf(request), tenantId));
      const after = cursor === undefined ? undefined : decodeTimeCursor(cursor);
      const rows = await kernel.db.tx((tx) => membersOf(tx, tenantId, { after, limit: limit + 1 }), { tenantId });
      const page = rows.slice(0, limit);
      const last = page.at(-1);
      return {
        items: page.map((m) => ({ userId: m.userId, email: m.email, joinedAt: m.joinedAt.toISOString() })),
        nextCursor: rows.length > limit && last ? encodeTimeCursor(last.joinedAt, last.userId) : null,
      };
    },
  );
}
