import { tenancyEvents } from "../../contracts/tenancy.js";
import type { ContextModule } from "../../platform/module.js";
import { tenancyApi, type TenancyApi } from "./api.js";
import { tenancyErrors } from "./errors.js";
import { providerKycConsumer } from "./providers/provider-kyc.consumer.js";
import { providerRoutes } from "./providers/providers.routes.js";
import { purchasePolicyRoutes } from "./purchase-policies/purchase-policies.routes.js";
import { tenantRoutes } from "./tenants/tenants.routes.js";

export type { TenancyApi };

export interface TenancyModule extends ContextModule {
  readonly api: TenancyApi;
}

/** Tenancy: tenants and members, providers and their KYC status, buyer purchase policies. */
export function tenancyModule(): TenancyModule {
  return {
    name: "tenancy",
    events: [...tenancyEvents],
    errors: tenancyErrors,
    api: tenancyApi(),
    install(host) {
      tenantRoutes(host);
      providerRoutes(host);
      purchasePolicyRoutes(host);
      providerKycConsumer(host.kernel);
    },
  };
}
