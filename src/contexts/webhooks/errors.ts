import { rejections, type StatusTable } from "../../platform/result.js";

/**
 * Webhooks' refusal codes → HTTP status: the one list its code may reject with (reject/refuse below
 * accept no other code), mapped by the app's one error handler. Wire contract: never change a code or status.
 */
export const webhooksErrors = {
  "WEBHOOK.URL_INVALID": 400,
  "WEBHOOK.URL_NOT_ALLOWED": 400,
  "WEBHOOK.EVENT_UNKNOWN": 400,
  "WEBHOOK.SECRET_INVALID": 400,
  "WEBHOOK.NOT_FOUND": 404,
  "WEBHOOK.DELIVERY_NOT_FOUND": 404,
  "WEBHOOK.ENDPOINT_DISABLED": 409,
  "WEBHOOK.DELIVERY_PENDING": 409,
  "WEBHOOK.NOT_ENABLED": 409,
} as const satisfies StatusTable;

export type WebhooksCode = keyof typeof webhooksErrors;
export const { reject, refuse } = rejections(webhooksErrors);
