import { ProviderKycVerified } from "../../../contracts/upstream.js";
import type { EventContext } from "../../../platform/events/envelope.js";
import { envelope } from "../../../platform/events/registry.js";
import { newId } from "../../../platform/ids.js";
import type { Kernel } from "../../../platform/kernel.js";
import { unwrap } from "../../../platform/result.js";
import { refuse } from "../errors.js";
import { findTenant } from "../tenants/tenants.sql.js";
import { decideKyc, decideRegistration, type KycStatus } from "./provider.domain.js";
import { claimProvider, insertProvider, lockProvider, saveKyc } from "./providers.sql.js";

export async function registerProvider(
  kernel: Kernel,
  input: { providerId?: string; tenantId: string; name: string },
): Promise<{ providerId: string; kycStatus: KycStatus }> {
  return kernel.db.tx(async (tx) => {
    if (!(await findTenant(tx, input.tenantId)))
      throw refuse({ code: "TENANT.NOT_FOUND", detail: `no tenant ${input.tenantId}`, field: "body/tenantId" });
    const providerId = input.providerId ?? newId("prv");
    const existing = await lockProvider(tx, providerId);
    const how = unwrap(decideRegistration(existing));
    if (how === "insert") await insertProvider(tx, { providerId, tenantId: input.tenantId, name: input.name, at: kernel.clock.now() });
    else await claimProvider(tx, { providerId, tenantId: input.tenantId, name: input.name });
    return { providerId, kycStatus: existing?.kycStatus ?? "pending" };
  });
}

/**
 * The KYC decision recorded by a platform admin. This context plays the tenant service here, so a
 * move into verified is announced as `tenant.provider.kyc_verified.v1`, exactly as upstream would;
 * the marketplace learns it from that event (seed 001 §5.1), never from this table.
 */
export async function recordKyc(
  kernel: Kernel,
  providerId: string,
  status: "verified" | "rejected",
  context: EventContext,
): Promise<{ providerId: string; kycStatus: KycStatus }> {
  return kernel.db.tx(async (tx) => {
    const provider = await lockProvider(tx, providerId);
    if (!provider) throw refuse({ code: "PROVIDER.NOT_FOUND", detail: `no provider ${providerId}` });
    const change = unwrap(decideKyc(provider.kycStatus, status));
    if (change) {
      const at = kernel.clock.now();
      await saveKyc(tx, providerId, change.status, at);
      if (change.announceVerified) {
        await kernel.outbox.append(tx, [
          envelope(ProviderKycVerified, { providerId }, { eventId: newId("evt"), occurredAt: at, tenantId: provider.tenantId }, context),
        ]);
      }
    }
    return { providerId, kycStatus: change?.status ?? provider.kycStatus };
  });
}
