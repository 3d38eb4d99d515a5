import { describe, expect, it } from "vitest";
import { newId } from "./ids.js";

describe("newId", () => {
  it("gives prefixed 32-hex ids that stay unique and in creation order across many refills of its random buffer", () => {
    const ids = Array.from({ length: 5_000 }, () => newId("ord"));
    for (const id of ids.slice(0, 3)) expect(id).toMatch(/^ord_[0-9a-f]{32}$/);
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(ids);
  });
});
