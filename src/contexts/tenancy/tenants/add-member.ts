import { TenantMemberJoined } from "../../../contracts/tenancy.js";
import type { EventContext } from "../../../platform/events/envelope.js";
import { envelope } from "../../../platform/events/registry.js";
import { newId } from "../../../platform/ids.js";
import type { Kernel } from "../../../platform/kernel.js";
import { refuse } from "../errors.js";
import { findTenant, insertMember } from "./tenants.sql.js";

/** Adds a member and announces it (seed 003: default enrollments are realized on this event). */
export async function addMember(
  kernel: Kernel,
  input: { tenantId: string; userId: string; email?: string },
  context: EventContext,
): Promise<{ joined: boolean }> {
  return kernel.db.tx(
    async (tx) => {
      if (!(await findTenant(tx, input.tenantId))) throw refuse({ code: "TENANT.NOT_FOUND", detail: `no tenant ${input.tenantId}` });
      const joined = await insertMember(tx, {
        tenantId: input.tenantId,
        userId: input.userId,
        email: input.email ?? null,
        at: kernel.clock.now(),
      });
      if (joined) {
        const payload = { tenantId: input.tenantId, userId: input.userId, ...(input.email ? { email: input.email } : {}) };
        await kernel.outbox.append(tx, [
          envelope(
            TenantMemberJoined,
            payload,
            { eventId: newId("evt"), occurredAt: kernel.clock.now(), tenantId: input.tenantId },
            context,
          ),
        ]);
      }
      return { joined };
    },
    { tenantId: input.tenantId },
  );
}
