import { describe, expect, it } from "vitest";
import { rejections } from "./result.js";

describe("a context's reject() and refuse()", () => {
  const { reject, refuse } = rejections({ "THING.GONE": 404 } as const);

  it("take the context's own codes and the kernel's", () => {
    expect(reject("THING.GONE", "no such thing", "body/id").rejection).toEqual({
      code: "THING.GONE",
      detail: "no such thing",
      field: "body/id",
    });
    expect(refuse({ code: "AUTH.FORBIDDEN", detail: "not yours" }).rejection.code).toBe("AUTH.FORBIDDEN");
  });

  it("refuse at compile time a code no table declares (it would answer 500)", () => {
    // @ts-expect-error THING.UNKNOWN is in no status table: `npm run typecheck` fails if this compiles.
    expect(reject("THING.UNKNOWN").rejection.code).toBe("THING.UNKNOWN");
    // @ts-expect-error the same for a thrown refusal.
    expect(refuse({ code: "THING.UNKNOWN" }).rejection.code).toBe("THING.UNKNOWN");
  });
});
