import type { Clock } from "../../platform/clock.js";
import type { Tx } from "../../platform/db/db.js";
import { activeSeatsCovering, activeSiteLicense, tenantLicensesCovering, type SiteLicenseFact } from "./licenses/site-licenses.js";

export type { SiteLicenseFact };

/**
 * What other contexts may ask the marketplace (through ports they own, wired in src/wiring.ts):
 * the licences in force at this app's now. Each read first writes the grants the caller's
 * transaction still holds in its buffer, so it sees them.
 */
export interface MarketplaceApi {
  /** The active site licence of one of these tenants covering the course (membership is tenancy's fact: the caller passes the tenants). */
  activeSiteLicense(tx: Tx, tenantIds: readonly string[], courseId: string): Promise<SiteLicenseFact | null>;
  /** The tenant's active site licences and seat packs covering these courses. */
  tenantLicensesCovering(
    tx: Tx,
    tenantId: string,
    courseIds: readonly string[],
  ): Promise<Array<{ licenseId: string; courseId: string; kind: "site_license" | "seat_pack" }>>;
  /** The learner's active seats in the tenant's active seat packs covering these courses. */
  activeSeatsCovering(
    tx: Tx,
    tenantId: string,
    userId: string,
    courseIds: readonly string[],
  ): Promise<Array<{ licenseId: string; courseId: string; seatAssignmentId: string }>>;
}

export function marketplaceApi(clock: Clock): MarketplaceApi {
  return {
    activeSiteLicense: (tx, tenantIds, courseId) => activeSiteLicense(tx, tenantIds, courseId, clock.now()),
    tenantLicensesCovering: (tx, tenantId, courseIds) => tenantLicensesCovering(tx, tenantId, courseIds, clock.now()),
    activeSeatsCovering: (tx, tenantId, userId, courseIds) => activeSeatsCovering(tx, tenantId, userId, courseIds, clock.now()),
  };
}
