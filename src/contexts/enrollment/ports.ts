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

/** Default enrollments (seed 003): what a content key is, in the catalog. */
export type CatalogContent = { contentType: "course"; courseId: string } | { contentType: "course_run"; courseId: string; runKey: string };

/** A course run as default enrollments need it: `open` = enrollable and not over yet, at the catalog's now. */
export interface CatalogRun {
  runKey: string;
  courseVersionId: string;
  advertised: boolean;
  enrollable: boolean;
  open: boolean;
}

export interface DefaultEnrollmentCatalog {
  /** Looks content keys up (course id or course run key); unknown keys are absent from the map. */
  resolveContent(tx: Tx, contentKeys: readonly string[]): Promise<Map<string, CatalogContent>>;
  /** The runs of each course (courses without runs map to []). */
  runsOf(tx: Tx, courseIds: readonly string[]): Promise<Map<string, CatalogRun[]>>;
}

/** The subsidy a realization used (never stored on the intention, seed 003). `licenseId` backs the enrollment. */
export interface Subsidy {
  kind: "site_license" | "seat" | "learner_credit";
  ref: string;
  licenseId?: string;
}

/** Whether the enterprise's catalog (its licenses) covers a course, and the learner's applicable subsidy. */
export interface Coverage {
  inCatalog: boolean;
  subsidy: Subsidy | null;
}

export interface SubsidyLookup {
  /** Per course id: coverage for this learner in this enterprise (marketplace licenses, seats, billing credit). */
  applicableSubsidy(tx: Tx, tenantId: string, userId: string, courseIds: readonly string[]): Promise<Map<string, Coverage>>;
}

/** Tenancy facts default enrollments need: is the tenant an enterprise, is the user a member. */
export interface EnterpriseLookup {
  kindOf(tx: Tx, tenantId: string): Promise<string | null>;
  isMember(tx: Tx, tenantId: string, userId: string): Promise<boolean>;
}

export interface EnrollmentPorts {
  siteLicenses: SiteLicenseLookup;
  auditAvailable: AuditAvailability;
  currentCourseVersion: CurrentCourseVersion;
  catalog: DefaultEnrollmentCatalog;
  subsidies: SubsidyLookup;
  enterprises: EnterpriseLookup;
}

export const defaultPorts: EnrollmentPorts = {
  siteLicenses: { coveringLicense: async () => null },
  auditAvailable: () => false,
  currentCourseVersion: async () => null,
  catalog: { resolveContent: async () => new Map(), runsOf: async () => new Map() },
  subsidies: { applicableSubsidy: async () => new Map() },
  enterprises: { kindOf: async () => null, isMember: async () => false },
};
