import type { PlatformCode } from "./errors.js";

export type { StatusTable } from "./errors.js";

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

/**
 * A context's reject() and refuse(), narrowed to the codes its table declares and the kernel's own
 * (platform/errors.ts): a code nobody declares (so would answer 500) fails the typecheck instead.
 */
export function rejections<Code extends string>(_statuses: Readonly<Record<Code, number>>) {
  type Known = Code | PlatformCode;
  return {
    reject: (code: Known, detail?: string, field?: string) => reject(code, detail, field),
    /** The error a use case throws to roll back with a refusal: `throw refuse({ code, detail })`. */
    refuse: (rejection: Rejection & { readonly code: Known }) => new RejectionError(rejection),
  };
}

export function unwrap<T>(result: Result<T>): T {
  if (!result.ok) throw new RejectionError(result.rejection);
  return result.value;
}
