import { Type } from "@sinclair/typebox";
import { AmountInput, CurrencyCode, IdParam } from "../../../platform/http/schemas.js";
import { authorize, principalOf } from "../../../platform/http/server.js";
import type { ModuleHost } from "../../../platform/module.js";
import { unwrap } from "../../../platform/result.js";
import { refuse } from "../errors.js";
import { mayManageTenant } from "../tenants/tenant.js";
import { findTenant } from "../tenants/tenants.sql.js";
import { CAP_PERIODS, decidePolicy } from "./purchase-policy.domain.js";
import { purchasePolicyOf, savePurchasePolicy } from "./purchase-policies.sql.js";
import { PurchasePolicy } from "../tenancy-responses.js";

const Params = Type.Object({ tenantId: IdParam });

export function purchasePolicyRoutes({ kernel, server, authenticator }: ModuleHost): void {
  const managers = authorize(authenticator, "platform_admin", "org_admin");
  const tags = ["tenancy"];

  server.put(
    "/api/v1/tenants/:tenantId/purchase-policy",
    {
      preValidation: managers,
      schema: {
        tags,
        operationId: "setPurchasePolicy",
        summary: "Set a buyer tenant's purchase policy: allowed currencies and a spending cap per UTC calendar period",
        description:
          "Platform admins, or an org_admin of that tenant: replaces the policy (null lifts a restriction). Orders that break it are refused when placed. 400 MONEY.CURRENCY_UNKNOWN or PURCHASE_POLICY.CAP_CURRENCY_NOT_ALLOWED; 404 TENANT.NOT_FOUND.",
        response: { 200: PurchasePolicy },
        security: [{ bearer: [] }],
        params: Params,
        body: Type.Object(
          {
            allowedCurrencies: Type.Union([Type.Array(CurrencyCode, { minItems: 1, maxItems: 50 }), Type.Null()]),
            cap: Type.Union([
              Type.Object(
                { amount: AmountInput(0), currency: CurrencyCode, period: Type.Union(CAP_PERIODS.map((p) => Type.Literal(p))) },
                { additionalProperties: false },
              ),
              Type.Null(),
            ]),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (request) => {
      const { tenantId } = request.params;
      unwrap(mayManageTenant(principalOf(request), tenantId));
      const policy = unwrap(decidePolicy(request.body));
      await kernel.db.tx(
        async (tx) => {
          if (!(await findTenant(tx, tenantId))) throw refuse({ code: "TENANT.NOT_FOUND", detail: `no tenant ${tenantId}` });
          await savePurchasePolicy(tx, tenantId, policy, kernel.clock.now());
        },
        { tenantId },
      );
      return { tenantId, ...policy };
    },
  );

  server.get(
    "/api/v1/tenants/:tenantId/purchase-policy",
    {
      preValidation: managers,
      schema: {
        tags,
        operationId: "getPurchasePolicy",
        summary: "A buyer tenant's purchase policy",
        description: "Platform admins, or an org_admin of that tenant. A tenant without a policy answers nulls (no restriction).",
        security: [{ bearer: [] }],
        params: Params,
        response: { 200: PurchasePolicy },
      },
    },
    async (request) => {
      const { tenantId } = request.params;
      unwrap(mayManageTenant(principalOf(request), tenantId));
      return { tenantId, ...(await kernel.db.tx((tx) => purchasePolicyOf(tx, tenantId), { tenantId })) };
    },
  );
}
