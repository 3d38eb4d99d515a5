import { rejections, type StatusTable } from "../../platform/result.js";

/**
 * Enrollment's refusal codes → HTTP status: the one list its code may reject with (reject/refuse
 * below accept no other code), mapped by the app's one error handler. Wire contract: never change a
 * code or status.
 */
export const enrollmentErrors = {
  "ENROLLMENT.NOT_FOUND": 404,
  "ENROLLMENT.ALREADY_REVOKED": 409,
  "ENROLLMENT.NOT_ACTIVE": 409,
  "ENROLLMENT.EXPIRES_BEFORE_START": 422,
  "DEFAULT_ENROLLMENT.CONTENT_UNKNOWN": 422,
  "DEFAULT_ENROLLMENT.INTENTION_EXISTS": 409,
  "DEFAULT_ENROLLMENT.INTENTION_REMOVED": 409,
  "DEFAULT_ENROLLMENT.INTENTION_NOT_FOUND": 404,
  "DEFAULT_ENROLLMENT.ENTERPRISE_NOT_FOUND": 404,
  "DEFAULT_ENROLLMENT.NOT_AN_ENTERPRISE": 422,
  "DEFAULT_ENROLLMENT.NOT_A_MEMBER": 422,
} as const satisfies StatusTable;

export type EnrollmentCode = keyof typeof enrollmentErrors;
export const { reject, refuse } = rejections(enrollmentErrors);
