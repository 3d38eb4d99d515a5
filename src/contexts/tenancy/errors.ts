import { rejections, type StatusTable } from "../../platform/result.js";

/**
 * Tenancy's refusal codes → HTTP status: the one list its code may reject with (reject/refuse below
 * accept no other code), mapped by the app's one error handler. Wire contract: never change a code or status.
 */
export const tenancyErrors = {
  "TENANT.NOT_FOUND": 404,
  "TENANT.ALREADY_EXISTS": 409,
  "TENANT.FORBIDDEN": 403,
  "PROVIDER.NOT_FOUND": 404,
  "PROVIDER.ALREADY_EXISTS": 409,
  "PURCHASE_POLICY.CAP_CURRENCY_NOT_ALLOWED": 400,
  "MONEY.CURRENCY_UNKNOWN": 400,
} as const satisfies StatusTable;

export type TenancyCode = keyof typeof tenancyErrors;
export const { reject, refuse } = rejections(tenancyErrors);
