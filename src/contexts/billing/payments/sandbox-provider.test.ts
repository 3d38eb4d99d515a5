import { describe, expect, it } from "vitest";
import { SANDBOX_DELAY_MS, sandboxOutcome } from "./sandbox-provider.js";

describe("sandbox card tokens (API.md)", () => {
  it("answers each documented token as documented", () => {
    expect(sandboxOutcome("tok_visa")).toEqual({ status: "succeeded" });
    expect(sandboxOutcome("tok_delayed")).toEqual({ status: "processing", checkAfterMs: SANDBOX_DELAY_MS });
    expect(sandboxOutcome("tok_declined")).toMatchObject({ status: "failed", failureCode: "card_declined" });
    expect(sandboxOutcome("tok_timeout")).toEqual({ status: "processing" });
  });

  it("tok_decline_after_first pays its first charge and declines every later one", () => {
    expect(sandboxOutcome("tok_decline_after_first")).toEqual({ status: "succeeded" });
    expect(sandboxOutcome("tok_decline_after_first", 0)).toEqual({ status: "succeeded" });
    expect(sandboxOutcome("tok_decline_after_first", 1)).toMatchObject({ status: "failed", failureCode: "card_declined" });
    expect(sandboxOutcome("tok_decline_after_first", 5)).toMatchObject({ status: "failed", failureCode: "card_declined" });
    expect(sandboxOutcome("tok_visa", 3)).toEqual({ status: "succeeded" });
  });

  it("fails an unknown token with invalid_token", () => {
    expect(sandboxOutcome("tok_mastercard")).toMatchObject({ status: "failed", failureCode: "invalid_token" });
  });
});
