import { Type } from "@sinclair/typebox";
import { idempotent, keyedRequest } from "../../../platform/http/idempotency.js";
import { authorize, principalOf } from "../../../platform/http/server.js";
import type { ModuleHost } from "../../../platform/module.js";
import { refuse } from "../errors.js";
import { eventContextOf } from "../../../platform/http/request-context.js";
import { createRefundPolicy, deprecateRefundPolicy, updateRefundPolicy } from "./manage-refund-policies.js";
import { findRefundPolicy } from "./refund-policies.sql.js";
import type { RefundPolicy } from "./refund-policy.domain.js";
import { Component, IdParam, ShortText } from "../../../platform/http/schemas.js";
import { IdempotencyKeyHeader } from "../../../platform/http/idempotency.js";
import { Json } from "../../../platform/http/openapi.js";

const Name = ShortText;
// Free-form but tidy: seed 002 names a policy `type` without listing the values.
const PolicyType = Type.String({ minLength: 1, maxLength: 50, pattern: "^[a-z][a-z0-9_]*$" });
const Days = Type.Integer({ minimum: 0, maximum: 3650 });
const Params = Type.Object({ id: IdParam });
const RefundPolicyView = Type.Object(
  {
    policyId: Type.String(),
    name: Type.String(),
    type: Type.String(),
    refundPeriodDays: Type.Integer({
      description: "days after the purchase (or the course start, if later) within which a refund may be asked for",
    }),
    status: Type.Union([Type.Literal("active"), Type.Literal("deprecated")]),
  },
  {
    additionalProperties: false,
    examples: [{ policyId: "rfp_01J9Z2X1", name: "14 days", type: "standard", refundPeriodDays: 14, status: "active" }],
  },
);
const view = (p: RefundPolicy) => ({ policyId: p.id, name: p.name, type: p.type, refundPeriodDays: p.refundPeriodDays, status: p.status });

export function refundPolicyRoutes({ kernel, server, authenticator }: ModuleHost): void {
  const admin = authorize(authenticator, "platform_admin");
  const tags = ["marketplace"];
  const Policy = Component(server, "RefundPolicy", RefundPolicyView);

  server.post(
    "/api/v1/refund-policies",
    {
      preValidation: admin,
      schema: {
        tags,
        operationId: "createRefundPolicy",
        summary: "Create a refund policy",
        description:
          "A platform admin writes refund terms that providers attach to their listings: an order may be refunded until refundPeriodDays " +
          "after its purchase or the course's start, whichever is later. Idempotency-Key accepted.",
        security: [{ bearer: [] }],
        headers: IdempotencyKeyHeader,
        response: { 201: Json(Policy, "The refund policy") },
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
      return reply.code(result.status as 201).send(result.body);
    },
  );

  server.patch(
    "/api/v1/refund-policies/:id",
    {
      preValidation: admin,
      schema: {
        tags,
        operationId: "updateRefundPolicy",
        summary: "Change a refund policy (not once deprecated)",
        description:
          "A platform admin changes the policy's name, type or period; orders already placed keep the deadline they were sold with. " +
          "A deprecated policy is 409 REFUND_POLICY.DEPRECATED.",
        security: [{ bearer: [] }],
        params: Params,
        response: { 200: Json(Policy, "The policy as it now stands") },
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
      schema: {
        tags,
        operationId: "deprecateRefundPolicy",
        summary: "Deprecate a refund policy: no new listing may attach it",
        description:
          "A platform admin retires a policy: listings that carry it keep it, no listing may attach it any more. Deprecating twice is 409 " +
          "REFUND_POLICY.DEPRECATED.",
        security: [{ bearer: [] }],
        params: Params,
        response: { 200: Json(Policy, "The deprecated policy") },
      },
    },
    async (request) => view(await deprecateRefundPolicy(kernel, request.params.id, eventContextOf(request, principalOf(request)))),
  );

  server.get(
    "/api/v1/refund-policies/:id",
    {
      schema: {
        tags,
        operationId: "getRefundPolicy",
        summary: "A refund policy (public: buyers read the terms)",
        description: "Public (no token): anyone may read a policy's terms, deprecated ones included.",
        security: [],
        params: Params,
        response: { 200: Json(Policy, "The refund policy") },
      },
    },
    async (request) => {
      const policy = await findRefundPolicy(kernel.db, request.params.id);
      if (!policy) throw refuse({ code: "REFUND_POLICY.NOT_FOUND", detail: `no refund policy ${request.params.id}` });
      return view(policy);
    },
  );
}
