import { describe, expect, it } from "vitest";
import { childOf, continueTrace, formatTraceparent, newTrace, parseTraceparent, traceIdOf } from "./trace-context.js";

const TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
const SPAN = "00f067aa0ba902b7";
const VALID = `00-${TRACE}-${SPAN}-01`;

describe("traceparent parsing", () => {
  it("reads a valid version-00 header", () => {
    expect(parseTraceparent(VALID)).toEqual({ traceId: TRACE, spanId: SPAN, flags: "01" });
    expect(parseTraceparent(`00-${TRACE}-${SPAN}-00`)?.flags).toBe("00");
  });

  it.each([
    ["absent", undefined],
    ["not text", ["a", "b"]],
    ["empty", ""],
    ["a trace id one digit short", `00-${TRACE.slice(1)}-${SPAN}-01`],
    ["a span id one digit long", `00-${TRACE}-${SPAN}0-01`],
    ["trailing text", `${VALID}-extra`],
    ["upper-case hex", `00-${TRACE.toUpperCase()}-${SPAN}-01`],
    ["an all-zero trace id", `00-${"0".repeat(32)}-${SPAN}-01`],
    ["an all-zero parent id", `00-${TRACE}-${"0".repeat(16)}-01`],
    ["version ff (forbidden)", `ff-${TRACE}-${SPAN}-01`],
    ["a future version", `01-${TRACE}-${SPAN}-01`],
    ["non-hex flags", `00-${TRACE}-${SPAN}-zz`],
    ["spaces around", ` ${VALID} `],
    ["a newline inside", `00-${TRACE}\n-${SPAN}-01`],
  ])("rejects %s", (_, header) => {
    expect(parseTraceparent(header)).toBeNull();
  });
});

describe("continuing a trace", () => {
  it("a child keeps the caller's trace id and flags and gets a new span id", () => {
    const child = parseTraceparent(continueTrace(VALID))!;
    expect(child.traceId).toBe(TRACE);
    expect(child.flags).toBe("01");
    expect(child.spanId).toMatch(/^[0-9a-f]{16}$/);
    expect(child.spanId).not.toBe(SPAN);
  });

  it("an invalid or missing header starts a new, sampled trace", () => {
    for (const header of [undefined, `ff-${TRACE}-${SPAN}-01`, "garbage"]) {
      const started = parseTraceparent(continueTrace(header))!;
      expect(started.traceId).toMatch(/^[0-9a-f]{32}$/);
      expect(started.traceId).not.toBe(TRACE);
      expect(started.flags).toBe("01");
    }
    expect(newTrace().traceId).not.toBe(newTrace().traceId);
  });

  it("what it writes it reads back", () => {
    const trace = newTrace();
    expect(parseTraceparent(formatTraceparent(trace))).toEqual(trace);
    expect(traceIdOf(formatTraceparent(childOf(trace)))).toBe(trace.traceId);
    expect(traceIdOf("nonsense")).toBeUndefined();
  });
});
