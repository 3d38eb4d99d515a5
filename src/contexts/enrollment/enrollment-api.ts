import type { Tx } from "../../platform/db/db.js";
import { SYSTEM_SCOPE } from "../../platform/db/db.js";
import type { EventContext } from "../../platform/events/envelope.js";
import type { Result } from "../../platform/result.js";
import { inTx, type EnrollmentDeps } from "./enrollment-deps.js";
import { createEnrollments, type EnrollInput, type EnrollResult } from "./enrollments/create-enrollments.js";
import type { EnrollmentStatus } from "./enrollments/enrollment.domain.js";
import {
  revokeByLicense,
  revokeOne,
  type RevokeByLicenseInput,
  type RevokeByLicenseResult,
  type RevokeOneInput,
} from "./enrollments/revoke-enrollments.js";

export type { EnrollInput, EnrollResult, RevokeByLicenseInput, RevokeByLicenseResult, RevokeOneInput };
export type { EnrollmentMode, EnrollmentSource, RevokeReason, SourceKind } from "./enrollments/enrollment.domain.js";

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
  };
}
