import { Type } from "@sinclair/typebox";
import { hasRole } from "../../../platform/http/auth.js";
import { IdempotencyKeyHeader, idempotent, keyedRequest } from "../../../platform/http/idempotency.js";
import { AmountInput, Id } from "../../../platform/http/schemas.js";
import { authorize, principalOf } from "../../../platform/http/server.js";
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

export function payoutRoutes({ kernel, server, authenticator }: ModuleHost, adapter: PayoutAdapter): void {
  server.post(
    "/api/v1/payouts/runs",
    {
      preValidation: authorize(authenticator, "platform_admin"),
      schema: {
        tags: ["payouts"],
        summary:
          "A batched payout run for one schedule period (weekly ISO week by default, ending at or before periodEnd): per provider and currency the matured, " +
          "unpaid earnings net of reversals; balances below minimumAmount (default 1000 minor units) or of providers without verified KYC are carried over " +
          "and listed in `held`. A second run of the same period returns the first (replayed: true).",
        security: [{ bearer: [] }],
        headers: IdempotencyKeyHeader,
        body: Type.Optional(RunBody),
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
            ...(body.periodEnd ? { periodEnd: new Date(body.periodEnd) } : {}),
            ...(body.minimumAmount !== undefined ? { minimumAmount: body.minimumAmount } : {}),
            ...(body.schedule ? { schedule: body.schedule } : {}),
          });
          return { status: run.replayed ? 200 : 201, body: run };
        },
      );
      return reply.code(result.status).send(result.body);
    },
  );

  server.get(
    "/api/v1/providers/:providerId/earnings",
    {
      preValidation: authorize(authenticator, "provider", "platform_admin"),
      schema: {
        tags: ["payouts"],
        summary: "A provider's earnings per currency: pending (not matured), matured (unpaid) and paid, net of refund reversals",
        security: [{ bearer: [] }],
        params: Type.Object({ providerId: Id }),
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
