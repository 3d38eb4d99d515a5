import { LicenseExpired } from "../../../contracts/marketplace-orders.js";
import { SYSTEM_SCOPE } from "../../../platform/db/db.js";
import { systemMetadata } from "../../../platform/events/envelope.js";
import { envelope } from "../../../platform/events/registry.js";
import { newId } from "../../../platform/ids.js";
import type { Kernel } from "../../../platform/kernel.js";
import { earliestIn } from "../../../platform/poller.js";
import { expireDue, NEXT_EXPIRY } from "./licenses.sql.js";

const BATCH = 500;

/**
 * One pass of the license-expiry deadline worker: every license past its valid_until (against the
 * kernel clock) becomes expired and emits marketplace.license.expired.v1, in one transaction per
 * batch, so the event leaves exactly once. Returns how many expired (the poller loops while > 0).
 */
export async function expireDueLicenses(kernel: Kernel): Promise<number> {
  return kernel.db.tx(
    async (tx) => {
      const now = kernel.clock.now();
      const expired = await expireDue(tx, now, BATCH);
      const trace = systemMetadata();
      await kernel.outbox.append(
        tx,
        expired.map((l) =>
          envelope(
            LicenseExpired,
            { licenseId: l.licenseId, orderId: l.orderId, expiredAt: new Date(l.validUntil!).toISOString() },
            { eventId: newId("evt"), occurredAt: now, tenantId: l.tenantId },
            // The sweep acts on nobody's request: a trace of its own per run, actor "system".
            { correlationId: l.orderId, causationId: null, metadata: trace },
          ),
        ),
      );
      return expired.length;
    },
    { tenantId: SYSTEM_SCOPE },
  );
}

/** When the next active license runs out (the expiry worker's nextDue). */
export function nextLicenseExpiry(kernel: Kernel): Promise<Date | null> {
  return earliestIn(kernel.db, NEXT_EXPIRY);
}
