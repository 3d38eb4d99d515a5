import { Type } from "@sinclair/typebox";
import { PlanKind } from "../../../contracts/marketplace-listings.js";
import { IdempotencyKeyHeader, idempotent, keyedRequest } from "../../../platform/http/idempotency.js";
import { AmountInput, IdParam } from "../../../platform/http/schemas.js";
import { authorize, principalOf } from "../../../platform/http/server.js";
import type { ModuleHost } from "../../../platform/module.js";
import { eventContextOf } from "../../../platform/http/request-context.js";
import { providerActorOf } from "./listing-actor.js";
import { PlanVersionCreated } from "./listing-responses.js";
import { addPlan, repricePlan } from "./price-plans.js";

// Amounts are integer minor units (a float is a 400 from the schema); the currency code is checked
// against the ISO 4217 table by the domain, so an unknown one is MONEY.CURRENCY_UNKNOWN.
const Terms = {
  amount: AmountInput(0),
  currency: Type.String({ minLength: 3, maxLength: 3 }),
  seats: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000_000 })),
  interval: Type.Optional(Type.Union([Type.Literal("month"), Type.Literal("year")])),
  validityDays: Type.Optional(Type.Integer({ minimum: 1, maximum: 36_500 })),
  perpetualOffline: Type.Optional(Type.Boolean()),
  revocationCapPercent: Type.Optional(
    Type.Integer({ minimum: 0, maximum: 100, description: "a renewing seat pack: seats releasable per period, in %" }),
  ),
};

export function planRoutes({ kernel, server, authenticator }: ModuleHost): void {
  const provider = authorize(authenticator, "provider");
  const tags = ["marketplace"];

  server.post(
    "/api/v1/listings/:id/plans",
    {
      preValidation: provider,
      schema: {
        tags,
        operationId: "addPlan",
        summary: "Add a pricing plan to the provider's listing (version 1)",
        description:
          "The listing's provider adds a plan: its kind is fixed for good; seats only on a seat pack, an interval on a subscription (and on a " +
          "renewing seat pack or site license), validityDays only when nothing renews. Amounts are integer minor units. Idempotency-Key accepted.",
        security: [{ bearer: [] }],
        headers: IdempotencyKeyHeader,
        params: Type.Object({ id: IdParam }),
        body: Type.Object({ kind: PlanKind, ...Terms }, { additionalProperties: false }),
        response: { 201: PlanVersionCreated },
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      const { kind, ...terms } = request.body;
      const result = await idempotent(
        kernel.db,
        keyedRequest(request, principal),
        { required: false, tenantId: principal.tenantId },
        async (tx) => ({
          status: 201,
          body: await addPlan(
            kernel,
            tx,
            { listingId: request.params.id, actor: providerActorOf(principal), kind, terms },
            eventContextOf(request, principal),
          ),
        }),
      );
      return reply.code(result.status as 201).send(result.body);
    },
  );

  server.post(
    "/api/v1/listings/:id/plans/:planId/versions",
    {
      preValidation: provider,
      schema: {
        tags,
        operationId: "repricePlan",
        summary: "Re-price a plan: a new immutable version; earlier versions and the orders on them are unchanged",
        description:
          "The listing's provider writes the plan's next version (same kind, new terms); new orders buy it, orders and subscriptions on an " +
          "earlier version keep their terms. Idempotency-Key accepted.",
        security: [{ bearer: [] }],
        headers: IdempotencyKeyHeader,
        params: Type.Object({ id: IdParam, planId: IdParam }),
        body: Type.Object(Terms, { additionalProperties: false }),
        response: { 201: PlanVersionCreated },
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      const result = await idempotent(
        kernel.db,
        keyedRequest(request, principal),
        { required: false, tenantId: principal.tenantId },
        async (tx) => ({
          status: 201,
          body: await repricePlan(
            kernel,
            tx,
            { listingId: request.params.id, planId: request.params.planId, actor: providerActorOf(principal), terms: request.body },
            eventContextOf(request, principal),
          ),
        }),
      );
      return reply.code(result.status as 201).send(result.body);
    },
  );
}
