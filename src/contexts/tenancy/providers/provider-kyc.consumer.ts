import { ProviderKycVerified } from "../../../contracts/upstream.js";
import type { PayloadOf } from "../../../platform/events/registry.js";
import type { Kernel } from "../../../platform/kernel.js";
import { upsertVerified } from "./providers.sql.js";

/** An upstream tenant service verified a provider: record it (a provider not registered yet is remembered). */
export function providerKycConsumer(kernel: Kernel): void {
  kernel.hub.register({
    name: "tenancy.provider-kyc",
    types: [ProviderKycVerified.type],
    async handle(tx, event) {
      const { providerId } = event.payload as PayloadOf<typeof ProviderKycVerified>;
      await upsertVerified(tx, providerId, new Date(event.occurredAt));
    },
  });
}
