/**
 * Expected business refusals are values, not exceptions. A code is stable (clients switch on it);
 * `field` names the offending input where there is one. One place maps codes to HTTP statuses.
 */
export interface Rejection {
  readonly code: string;
  readonly detail?: string;
  readonly field?: string;
  readonly extra?: Record<string, unknown>;
}

export type Result<T> = { ok: true; value: T } | { ok: false; rejection: Rejection };

export const ok = <T>(value: T): Result<T> => ({ ok: true, value });
export const reject = (code: string, detail?: string, field?: string): { ok: false; rejection: Rejection } => ({
  ok: false,
  rejection: { code, detail, field },
});

/** Thrown by application code to abort a transaction with a business refusal; the HTTP layer maps it. */
export class RejectionError extends Error {
  constructor(readonly rejection: Rejection) {
    super(rejection.detail ?? rejection.code);
    this.name = "RejectionError";
  }
}

export function unwrap<T>(result: Result<T>): T {
  if (!result.ok) throw new RejectionError(result.rejection);
  return result.value;
}
