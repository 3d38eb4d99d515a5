import { describe, expect, it } from "vitest";
import { afterAttempt, MAX_ATTEMPTS, RETRY_AFTER_MS } from "./delivery.domain.js";

const now = new Date("2026-03-01T09:00:00.000Z");
const failed = { kind: "failed", error: "connection refused" } as const;

describe("a delivery after an attempt", () => {
  it("is delivered by any 2xx answer", () => {
    expect(afterAttempt(0, { kind: "answered", status: 204, body: "" }, now)).toEqual({ status: "delivered" });
  });

  it("is retried on the Standard Webhooks schedule after a 5xx, a 3xx or no answer, then dead", () => {
    let attempts = 0;
    for (const wait of RETRY_AFTER_MS) {
      expect(afterAttempt(attempts++, attempts % 2 ? failed : { kind: "answered", status: 500, body: "" }, now)).toEqual({
        status: "pending",
        retryAt: new Date(now.getTime() + wait),
      });
    }
    expect(attempts + 1).toBe(MAX_ATTEMPTS);
    expect(afterAttempt(attempts, { kind: "answered", status: 302, body: "" }, now)).toEqual({ status: "dead", gone: false });
  });

  it("is dead at once, and its endpoint disabled, when the receiver answers 410 Gone", () => {
    expect(afterAttempt(0, { kind: "answered", status: 410, body: "" }, now)).toEqual({ status: "dead", gone: true });
  });
});
