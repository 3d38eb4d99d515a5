import { rejections, type Rejection, type StatusTable } from "../../platform/result.js";

/**
 * Billing's refusal codes → HTTP status (API.md: 409 state conflicts, 422 business rules): the one
 * list its code may reject with (reject/refuse below accept no other code), mapped by the app's one
 * error handler. Wire contract: never change a code or status.
 */
export const billingErrors = {
  "BILLING.AMOUNT_INVALID": 400,
  "BILLING.CURRENCY_INVALID": 400,
  "BILLING.COUNTRY_INVALID": 400,
  "BILLING.TOKEN_REQUIRED": 400,
  "BILLING.PAYMENT_NOT_FOUND": 404,
  "BILLING.PAYMENT_ORDER_MISMATCH": 409,
  "BILLING.PAYMENT_ORDER_CONFLICT": 409,
  "BILLING.PAYMENT_STATE_CONFLICT": 409,
  "BILLING.PAYMENT_NOT_REFUNDABLE": 409,
  "BILLING.REFUND_EXCEEDS_PAYMENT": 422,
  "BILLING.WEBHOOK_SIGNATURE_INVALID": 400,
  "BILLING.WEBHOOK_NOT_CONFIGURED": 503,
  "BILLING.WEBHOOK_TOO_EARLY": 503,
  "BILLING.NO_METHOD_ON_FILE": 422,
  "BILLING.METHOD_OWNER_CONFLICT": 409,
  "BILLING.OFF_SESSION_UNSUPPORTED": 422,
  WALLET_INSUFFICIENT_BALANCE: 422,
} as const satisfies StatusTable;

export type BillingCode = keyof typeof billingErrors;
/** A refusal kept as a value (money checks, wallet plans), held to the same codes as reject(). */
export type BillingRejection = Rejection & { readonly code: BillingCode };
export const { reject, refuse } = rejections(billingErrors);
