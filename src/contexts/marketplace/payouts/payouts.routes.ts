import { Type } from "@sinclair/typebox";
import { hasRole } from "../../../platform/http/auth.js";
import { IdempotencyKeyHeader, idempotent, keyedRequest } from "../../../platform/http/idempotency.js";
import { AmountInput, CurrencyCode, Id, Instant, MinorUnits, Nullable } from "../../../platform/http/schemas.js";
import { Json } from "../../../platform/http/openapi.js";
import { authorize, principalOf } from "../../../platform/http/server.js";
import { requestMetadataOf } from "../../../platform/http/request-context.js";
import type { ModuleHost } from "../../../platform/module.js";
import { refuse } from "../errors.js";
import type { PayoutAdapter } from "./payout-adapters.js";
import { earningsOf } from "./payouts.sql.js";
import { runPayouts } from "./run-payouts.js";
import { SYSTEM_SCOPE } from "../../../platform/db/db.js";

const RunBody = Type.Object(
  {
    periodEnd: Type.Optional(Type.String({ format: "date-time" })),
    minimumAmount: Type.Optional(AmountInput(0)),
    schedule: Type.Optional(Type.Union([Type.Literal("weekly"), Type.Literal("monthly")])),
  },
  { additionalProperties: false },
);

const Minor = (description: string) => MinorUnits(`${description}, in minor units`);

/** What runPayouts answers (run-payouts.ts PayoutRunResult); Fastify serializes by it, so keep them in step. */
const PayoutRunView = Type.Object(
  {
    payoutRunId: Type.String(),
    schedule: Type.Union([Type.Literal("weekly"), Type.Literal("monthly")]),
    periodStart: Instant,
    periodEnd: Instant,
    minimumAmount: Minor("the smallest balance paid out"),
    adapter: Type.String({ description: "the payout adapter that moved the money (record-only, stripe-connect)" }),
    batches: Type.Array(
      Type.Object(
        {
          batchId: Type.String(),
          providerId: Type.String(),
          currency: CurrencyCode,
          amount: Minor("paid to the provider"),
          status: Type.Union([Type.Literal("recorded"), Type.Literal("transferred"), Type.Literal("transfer_failed")]),
          transferRef: Nullable(Type.String({ description: "the payment provider's transfer, when transferred" })),
          lines: Type.Array(Type.Object({ orderId: Type.String(), amount: Minor("this order's share") }, { additionalProperties: false })),
        },
        { additionalProperties: false },
      ),
      { description: "one per provider and currency paid" },
    ),
    held: Type.Array(
      Type.Object(
        {
          providerId: Type.String(),
          currency: CurrencyCode,
          amount: Minor("carried over to a later run"),
          reason: Type.Union([Type.Literal("KYC_NOT_VERIFIED"), Type.Literal("BELOW_MINIMUM")]),
        },
        { additionalProperties: false },
      ),
    ),
    replayed: Type.Boolean({ description: "true: this period had been run before, and this is that run" }),
  },
  { additionalProperties: false },
);

const EarningsView = Type.Object(
  {
    providerId: Type.String(),
    balances: Type.Array(
      Type.Object(
        {
          currency: CurrencyCode,
          pending: Minor("earned, not matured yet"),
          matured: Minor("matured and not paid out yet"),
          paid: Minor("paid out"),
        },
        { additionalProperties: false },
      ),
      { description: "one per currency, net of refund reversals" },
    ),
  },
  { additionalProperties: false },
);

export function payoutRoutes({ kernel, server, authenticator }: ModuleHost, adapter: PayoutAdapter): void {
  server.post(
    "/api/v1/payouts/runs",
    {
      preValidation: authorize(authenticator, "platform_admin"),
      schema: {
        tags: ["payouts"],
        operationId: "runPayouts",
        summary:
          "A batched payout run for one schedule period (weekly ISO week by default, ending at or before periodEnd): per provider and currency the matured, " +
          "unpaid earnings net of reversals; balances below minimumAmount (default 1000 minor units) or of providers without verified KYC are carried over " +
          "and listed in `held`. A second run of the same period returns the first (replayed: true).",
        security: [{ bearer: [] }],
        description:
          "A platform admin pays providers for a period that has ended (422 PAYOUT.PERIOD_NOT_ENDED otherwise): 201 with the new run, 200 " +
          "with the earlier run of the same period.",
        headers: IdempotencyKeyHeader,
        body: Type.Optional(RunBody),
        response: {
          200: Json(PayoutRunView, "This period had been run before: that run (replayed: true)"),
          201: Json(PayoutRunView, "The run: the batches paid and the balances held"),
        },
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      const body = request.body ?? {};
      const result = await idempotent(
        kernel.db,
        keyedRequest(request, principal, body),
        { required: false, tenantId: SYSTEM_SCOPE },
        async (tx) => {
          const run = await runPayouts(kernel, adapter, tx, {
            requestedBy: principal.userId,
            metadata: requestMetadataOf(request, principal),
            ...(body.periodEnd ? { periodEnd: new Date(body.periodEnd) } : {}),
            ...(body.minimumAmount !== undefined ? { minimumAmount: body.minimumAmount } : {}),
            ...(body.schedule ? { schedule: body.schedule } : {}),
          });
          return { status: run.replayed ? 200 : 201, body: run };
        },
      );
      return reply.code(result.status as 200 | 201).send(result.body);
    },
  );

  server.get(
    "/api/v1/providers/:providerId/earnings",
    {
      preValidation: authorize(authenticator, "provider", "platform_admin"),
      schema: {
        tags: ["payouts"],
        operationId: "getProviderEarnings",
        description: "The provider itself (the token's pid) or a platform admin; another provider gets 403 PAYOUT.NOT_YOUR_EARNINGS.",
        summary: "A provider's earnings per currency: pending (not matured), matured (unpaid) and paid, net of refund reversals",
        security: [{ bearer: [] }],
        params: Type.Object({ providerId: Id }),
        response: { 200: Json(EarningsView, "The provider's balances") },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      const { providerId } = request.params;
      if (!hasRole(principal, "platform_admin") && principal.providerId !== providerId) {
        throw refuse({ code: "PAYOUT.NOT_YOUR_EARNINGS", detail: "a provider sees only its own earnings" });
      }
      const balances = await kernel.db.tx((tx) => earningsOf(tx, providerId, kernel.clock.now()), { tenantId: SYSTEM_SCOPE });
      return { providerId, balances };
    },
  );
}
