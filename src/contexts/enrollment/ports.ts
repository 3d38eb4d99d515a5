import type { Tx } from "../../platform/db/db.js";

/**
 * Ports this context owns and the lead wires in src/wiring.ts to other contexts. Each receives the
 * current transaction so an implementation may read its own tables consistently with our change.
 */

/** A site license (marketplace) that entitles any learner of a tenant to a course. */
export interface SiteLicenseCover {
  licenseId: string;
  tenantId: string;
  courseVersionId: string;
  orderId?: string;
  runKey?: string;
  expiresAt?: Date;
  offlineUntil?: Date | "perpetual";
}

export interface SiteLicenseLookup {
  /** The site license covering this learner and course, if any; `tenantId` is the event's tenant when known. */
  coveringLicense(tx: Tx, tenantId: string | undefined, userId: string, courseId: string): Promise<SiteLicenseCover | null>;
}

/** Does the course offer an audit mode (catalog)? Decides downgrade-to-audit versus revoke (seed 003). */
export type AuditAvailability = (courseId: string, tx: Tx) => boolean | Promise<boolean>;

/** The course version a deferred enrollment lands on when the assignment did not name one (catalog). */
export type CurrentCourseVersion = (courseId: string, tx: Tx) => Promise<string | null>;

export interface EnrollmentPorts {
  siteLicenses: SiteLicenseLookup;
  auditAvailable: AuditAvailability;
  currentCourseVersion: CurrentCourseVersion;
}

export const defaultPorts: EnrollmentPorts = {
  siteLicenses: { coveringLicense: async () => null },
  auditAvailable: () => false,
  currentCourseVersion: async () => null,
};
