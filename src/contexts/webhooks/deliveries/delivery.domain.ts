/**
 * A delivery's life: pending until an attempt gets a 2xx (delivered) or the retry schedule runs out
 * (dead). The schedule is the Standard Webhooks one: at once, then 5 s, 5 min, 30 min, 2 h, 5 h, 10 h
 * and 10 h after each failure, about 27 hours in all, so a receiver down for a day misses nothing.
 */
export const RETRY_AFTER_MS = [5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 36_000_000] as const;
export const MAX_ATTEMPTS = RETRY_AFTER_MS.length + 1;

/** `canceled`: its endpoint was disabled (deleted, or answered 410) while it was still pending; final. */
export const DELIVERY_STATUSES = ["pending", "delivered", "dead", "canceled"] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

/** What one attempt got: an HTTP answer, or no answer (refused address, timeout, connection error). */
export type Attempt =
  | { kind: "answered"; status: number; body: string }
  /** `error` is shown to the tenant; `detail`, when there is one, only goes to the server's log. */
  | { kind: "failed"; error: string; detail?: string };

export type Outcome =
  | { status: "delivered" }
  | { status: "pending"; retryAt: Date }
  /** `gone`: the receiver answered 410, so its endpoint is disabled and nothing more is sent to it. */
  | { status: "dead"; gone: boolean };

/** After `attemptsBefore` failed attempts, what this one means for the delivery. */
export function afterAttempt(attemptsBefore: number, attempt: Attempt, now: Date): Outcome {
  if (attempt.kind === "answered" && attempt.status >= 200 && attempt.status < 300) return { status: "delivered" };
  if (attempt.kind === "answered" && attempt.status === 410) return { status: "dead", gone: true };
  const wait = RETRY_AFTER_MS[attemptsBefore];
  if (wait === undefined) return { status: "dead", gone: false };
  return { status: "pending", retryAt: new Date(now.getTime() + wait) };
}
