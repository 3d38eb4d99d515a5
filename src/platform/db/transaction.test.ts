import { describe, expect, it } from "vitest";
import { combineWrites } from "./transaction.js";

describe("combineWrites", () => {
  it("renumbers each write's parameters after the ones before it, $1 and $10 alike", () => {
    const ten = Array.from({ length: 10 }, (_, i) => i + 1);
    const combined = combineWrites([
      { ctes: ["UPDATE a SET x = $1 WHERE y = $10"], params: ten },
      { ctes: ["DELETE FROM b WHERE id = $1 OR id = $2"], params: ["p", "q"] },
    ]);
    expect(combined.text).toContain("w0_0 AS (UPDATE a SET x = $1 WHERE y = $10)");
    expect(combined.text).toContain("w1_0 AS (DELETE FROM b WHERE id = $11 OR id = $12)");
    expect(combined.params).toEqual([...ten, "p", "q"]);
  });

  it("points {{i}} at the i-th part of the same write, not of another", () => {
    const combined = combineWrites([
      { ctes: ["INSERT INTO a VALUES ($1) RETURNING id", "INSERT INTO b SELECT id FROM {{0}}"], params: [1] },
      { ctes: ["INSERT INTO c VALUES ($1) RETURNING id", "INSERT INTO d SELECT id FROM {{0}}"], params: [2] },
    ]);
    expect(combined.text).toContain("w0_1 AS (INSERT INTO b SELECT id FROM w0_0)");
    expect(combined.text).toContain("w1_1 AS (INSERT INTO d SELECT id FROM w1_0)");
    expect(combined.text.endsWith("SELECT 1")).toBe(true);
  });
});
