import type { Tx } from "../../platform/db/db.js";
import { SYSTEM_SCOPE } from "../../platform/db/db.js";
import type { EventContext } from "../../platform/events/envelope.js";
import type { Result } from "../../platform/result.js";
import { inTx, type EnrollmentDeps } from "./enrollment-deps.js";
import { createEnrollments, type EnrollInput, type EnrollResult } from "./enrollments/create-enrollments.js";
import type { EnrollmentStatus } from "./enrollments/enrollment.domain.js";
import {
  endByLicense,
  extendByLicense,
  holdByLicense,
  releaseHoldByLicense,
  type ByLicenseResult,
  type EndByLicenseInput,
  type EndByLicenseResult,
  type ExtendByLicenseInput,
  type HoldByLicenseInput,
  type ReleaseHoldByLicenseInput,
} from "./enrollments/license-access.js";
import {
  revokeByLicense,
  revokeOne,
  type RevokeByLicenseInput,
  type RevokeByLicenseResult,
  type RevokeOneInput,
} from "./enrollments/revoke-enrollments.js";

export type { EnrollInput, EnrollResult, RevokeByLicenseInput, RevokeByLicenseResult, RevokeOneInput };
export type { ByLicenseResult, EndByLicenseInput, EndByLicenseResult, ExtendByLicenseInput, HoldByLicenseInput, ReleaseHoldByLicenseInput };
export type { EnrollmentMode, EnrollmentSource, HoldReason, RevokeReason, SourceKind } from "./enrollments/enrollment.domain.js";

/**
 * What other contexts (marketplace saga, seat assignment, default enrollments) call, through ports
 * they own. Every function takes an optional outer transaction: given one, our rows and events
 * commit or roll back with the caller's; without one, we open our own.
 */
export interface EnrollmentApi {
  /** Idempotent on (tenantId, userId, courseId, source.ref); emits enrollment.created.v1 only when created. */
  enroll(tx: Tx | undefined, input: EnrollInput, context: EventContext): Promise<EnrollResult>;
  /** Bulk enroll, set-based; results in input order. */
  enrollMany(tx: Tx | undefined, inputs: readonly EnrollInput[], context: EventContext): Promise<EnrollResult[]>;
  /** Refund / license revocation: downgrade to audit where available, else revoke; completed untouched. */
  revokeByLicense(tx: Tx | undefined, input: RevokeByLicenseInput, context: EventContext): Promise<RevokeByLicenseResult>;
  /** Seat release: one enrollment. Refusals are values (ENROLLMENT.NOT_FOUND / ALREADY_REVOKED / NOT_ACTIVE). */
  revokeOne(
    tx: Tx | undefined,
    input: RevokeOneInput,
    context: EventContext,
  ): Promise<Result<{ enrollmentId: string; status: EnrollmentStatus }>>;
  /** Subscription suspended: the license's enrollments stay as they are but entitle nobody (reason given) until released. */
  holdByLicense(tx: Tx | undefined, input: HoldByLicenseInput, context: EventContext): Promise<ByLicenseResult>;
  /** Subscription resumed: the hold goes; access is what it was. */
  releaseHoldByLicense(tx: Tx | undefined, input: ReleaseHoldByLicenseInput, context: EventContext): Promise<ByLicenseResult>;
  /** Subscription renewed: active/completed enrollments with an end date get the later one (and their deadlines). */
  extendByLicense(tx: Tx | undefined, input: ExtendByLicenseInput, context: EventContext): Promise<ByLicenseResult>;
  /** Subscription ended: completed untouched; active ones to audit where available, else expired (enrollment.expired.v1). */
  endByLicense(tx: Tx | undefined, input: EndByLicenseInput, context: EventContext): Promise<EndByLicenseResult>;
}

const scopeOf = (inputs: readonly EnrollInput[]) =>
  inputs.length > 0 && inputs.every((i) => i.tenantId === inputs[0]!.tenantId) ? inputs[0]!.tenantId : SYSTEM_SCOPE;

export function enrollmentApi(deps: EnrollmentDeps): EnrollmentApi {
  const { db } = deps.kernel;
  return {
    async enroll(tx, input, context) {
      const { results } = await inTx(db, tx, input.tenantId, (t) => createEnrollments(deps, t, [input], context));
      return results[0]!;
    },
    async enrollMany(tx, inputs, context) {
      if (inputs.length === 0) return [];
      const { results } = await inTx(db, tx, scopeOf(inputs), (t) => createEnrollments(deps, t, inputs, context));
      return results;
    },
    revokeByLicense: (tx, input, context) => inTx(db, tx, SYSTEM_SCOPE, (t) => revokeByLicense(deps, t, input, context)),
    revokeOne: (tx, input, context) => inTx(db, tx, SYSTEM_SCOPE, (t) => revokeOne(deps, t, input, context)),
    holdByLicense: (tx, input, context) => inTx(db, tx, SYSTEM_SCOPE, (t) => holdByLicense(deps, t, input, context)),
    releaseHoldByLicense: (tx, input, context) => inTx(db, tx, SYSTEM_SCOPE, (t) => releaseHoldByLicense(deps, t, input, context)),
    extendByLicense: (tx, input, context) => inTx(db, tx, SYSTEM_SCOPE, (t) => extendByLicense(deps, t, input, context)),
    endByLicense: (tx, input, context) => inTx(db, tx, SYSTEM_SCOPE, (t) => endByLicense(deps, t, input, context)),
  };
}
