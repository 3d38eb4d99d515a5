/**
 * Rejection code → HTTP status. The kernel's is below; each context declares its own, `as const`, in
 * its errors.ts, and the app merges them into the one table the error handler maps with.
 */
export type StatusTable = Readonly<Record<string, number>>;

/**
 * The kernel's own refusal codes and their statuses (API.md "Errors"). A context may reject with
 * these too (AUTH.FORBIDDEN, IDEMPOTENCY.KEY_REUSED): they are mapped in every app.
 */
export const platformErrors = {
  "REQUEST.VALIDATION_FAILED": 400,
  "REQUEST.MALFORMED_JSON": 400,
  "REQUEST.INVALID": 400,
  "REQUEST.INVALID_TEXT": 400,
  "REQUEST.CURSOR_INVALID": 400,
  "AUTH.TOKEN_MISSING": 401,
  "AUTH.TOKEN_INVALID": 401,
  "AUTH.FORBIDDEN": 403,
  "IDEMPOTENCY.KEY_REQUIRED": 400,
  "IDEMPOTENCY.KEY_INVALID": 400,
  "IDEMPOTENCY.KEY_REUSED": 422,
  "EVENT.TYPE_NOT_ACCEPTED": 422,
  "EVENT.PAYLOAD_INVALID": 400,
  "EVENT.TOO_LARGE": 413,
  "EVENT.TOO_DEEP": 400,
  "DLQ.NOT_FOUND": 404,
  "DLQ.ALREADY_REPLAYED": 409,
  "DLQ.CONSUMER_UNKNOWN": 409,
  "DLQ.REPLAY_FAILED": 409,
  // The test clock (TEST_CLOCK=on only): moving it backwards or too far, or a system that would not settle.
  "TEST_CLOCK.BACKWARDS": 422,
  "TEST_CLOCK.TOO_FAR": 422,
  "TEST_CLOCK.UNSETTLED": 503,
} as const satisfies StatusTable;

export type PlatformCode = keyof typeof platformErrors;
