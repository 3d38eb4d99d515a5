import { Type } from "@sinclair/typebox";
import { idempotent, keyedRequest } from "../../../platform/http/idempotency.js";
import { authorize, principalOf } from "../../../platform/http/server.js";
import type { ModuleHost } from "../../../platform/module.js";
import { refuse } from "../errors.js";
import { eventContextOf } from "../../../platform/http/request-context.js";
import { createRefundPolicy, deprecateRefundPolicy, updateRefundPolicy } from "./manage-refund-policies.js";
import { findRefundPolicy } from "./refund-policies.sql.js";
import type { RefundPolicy } from "./refund-policy.domain.js";
import { IdParam, ShortText } from "../../../platform/http/schemas.js";

const Name = ShortText;
// Free-form but tidy: seed 002 names a policy `type` without listing the values.
const PolicyType = Type.String({ minLength: 1, maxLength: 50, pattern: "^[a-z][a-z0-9_]*$" });
const Days = Type.Integer({ minimum: 0, maximum: 3650 });
const Params = Type.Object({ id: IdParam });
const view = (p: RefundPolicy) => ({ policyId: p.id, name: p.name, type: p.type, refundPeriodDays: p.refundPeriodDays, status: p.status });

export function refundPolicyRoutes({ kernel, server, authenticator }: ModuleHost): void {
  const admin = authorize(authenticator, "platform_admin");
  const tags = ["marketplace"];

  server.post(
    "/api/v1/refund-policies",
    {
      preValidation: admin,
      schema: {
        tags,
        summary: "Create a refund policy",
        security: [{ bearer: [] }],
        body: Type.Object({ name: Name, type: PolicyType, refundPeriodDays: Days }, { additionalProperties: false }),
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      const result = await idempotent(
        kernel.db,
        keyedRequest(request, principal),
        { required: false, tenantId: principal.tenantId },
        async (tx) => ({ status: 201, body: view(await createRefundPolicy(kernel, tx, request.body, eventContextOf(request, principal))) }),
      );
      return reply.code(result.status).send(result.body);
    },
  );

  server.patch(
    "/api/v1/refund-policies/:id",
    {
      preValidation: admin,
      schema: {
        tags,
        summary: "Change a refund policy (not once deprecated)",
        security: [{ bearer: [] }],
        params: Params,
        body: Type.Object(
          { name: Type.Optional(Name), type: Type.Optional(PolicyType), refundPeriodDays: Type.Optional(Days) },
          { additionalProperties: false, minProperties: 1 },
        ),
      },
    },
    async (request) =>
      view(await updateRefundPolicy(kernel, request.params.id, request.body, eventContextOf(request, principalOf(request)))),
  );

  server.post(
    "/api/v1/refund-policies/:id/deprecate",
    {
      preValidation: admin,
      schema: { tags, summary: "Deprecate a refund policy: no new listing may attach it", security: [{ bearer: [] }], params: Params },
    },
    async (request) => view(await deprecateRefundPolicy(kernel, request.params.id, eventContextOf(request, principalOf(request)))),
  );

  server.get(
    "/api/v1/refund-policies/:id",
    { schema: { tags, summary: "A refund policy (public: buyers read the terms)", params: Params } },
    async (request) => {
      const policy = await findRefundPolicy(kernel.db, request.params.id);
      if (!policy) throw refuse({ code: "REFUND_POLICY.NOT_FOUND", detail: `no refund policy ${request.params.id}` });
      return view(policy);
    },
  );
}
