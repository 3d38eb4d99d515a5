/**
 * Enrollment's public face: what other contexts (through ports they own) and the composition root
 * may call. Nothing else under src/contexts/enrollment is theirs to import (.dependency-cruiser.cjs).
 */
import type { Sql } from "../../platform/db/db.js";
import type { EnrollmentDeps } from "./enrollment-deps.js";
import { enrollmentApi, type EnrollmentApi as EnrollmentUseCases } from "./enrollment-api.js";
import { licenseConsumed } from "./enrollment-facts.js";

export type {
  ByLicenseResult,
  EndByLicenseInput,
  EndByLicenseResult,
  EnrollInput,
  EnrollmentMode,
  EnrollmentSource,
  EnrollResult,
  ExtendByLicenseInput,
  HoldByLicenseInput,
  HoldReason,
  ReleaseHoldByLicenseInput,
  RevokeByLicenseInput,
  RevokeByLicenseResult,
  RevokeOneInput,
  RevokeReason,
  SourceKind,
} from "./enrollment-api.js";

export interface EnrollmentApi extends EnrollmentUseCases {
  /** Marketplace's refund policy: a licence is consumed once a learner completed a course with it. */
  licenseConsumed(sql: Sql, licenseId: string): Promise<boolean>;
}

export function publicEnrollmentApi(deps: EnrollmentDeps): EnrollmentApi {
  return { ...enrollmentApi(deps), licenseConsumed };
}
