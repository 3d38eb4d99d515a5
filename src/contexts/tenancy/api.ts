import type { Sql } from "../../platform/db/db.js";
import type { KycStatus } from "./providers/provider.domain.js";
import { findProvider } from "./providers/providers.sql.js";
import { purchasePolicyOf } from "./purchase-policies/purchase-policies.sql.js";
import { capWindow, type CapPeriod } from "./purchase-policies/purchase-policy.domain.js";
import type { TenantKind } from "./tenants/tenant.js";
import { findTenant, isMember, tenantsOfMember } from "./tenants/tenants.sql.js";

export type { CapPeriod, KycStatus, TenantKind };

/** A buyer tenant's purchase policy with its cap's current window already worked out (UTC calendar periods). */
export interface BuyerPolicy {
  allowedCurrencies: string[] | null;
  cap: { amount: number; currency: string; period: CapPeriod; windowStart: Date } | null;
}

/**
 * What other contexts may ask tenancy (through ports they own, wired in src/wiring.ts). Every read
 * runs in the caller's transaction, so it sees the caller's row-level-security scope.
 */
export interface TenancyApi {
  /** null: tenancy has never heard of the tenant. */
  tenantKind(sql: Sql, tenantId: string): Promise<TenantKind | null>;
  isMember(sql: Sql, tenantId: string, userId: string): Promise<boolean>;
  /** The tenants the user belongs to (only `onlyTenantId`, when given). */
  tenantsOfMember(sql: Sql, userId: string, onlyTenantId?: string): Promise<string[]>;
  /** null: tenancy has never heard of the provider. */
  providerKyc(sql: Sql, providerId: string): Promise<KycStatus | null>;
  /** null: the tenant set no currency list and no cap. */
  buyerPolicy(sql: Sql, tenantId: string, now: Date): Promise<BuyerPolicy | null>;
}

export function tenancyApi(): TenancyApi {
  return {
    tenantKind: async (sql, tenantId) => (await findTenant(sql, tenantId))?.kind ?? null,
    isMember,
    tenantsOfMember,
    providerKyc: async (sql, providerId) => (await findProvider(sql, providerId))?.kycStatus ?? null,
    async buyerPolicy(sql, tenantId, now) {
      const policy = await purchasePolicyOf(sql, tenantId);
      if (!policy.allowedCurrencies && !policy.cap) return null;
      return {
        allowedCurrencies: policy.allowedCurrencies,
        cap: policy.cap ? { ...policy.cap, windowStart: capWindow(policy.cap.period, now).start } : null,
      };
    },
  };
}
