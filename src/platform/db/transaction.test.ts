import { describe, expect, it } from "vitest";
import { DeferredRows } from "./deferred-rows.js";
import { cte, sqlText } from "./sql-text.js";
import { combineWrites, transactionOn } from "./transaction.js";

describe("combineWrites", () => {
  it("numbers each write's values after the ones before it, $1 and $10 alike", () => {
    const ten = Array.from({ length: 10 }, (_, i) => i + 1);
    const [v1, v2, v3, v4, v5, v6, v7, v8, v9, v10] = ten;
    const combined = combineWrites([
      { ctes: [sqlText`UPDATE a SET x = ${v1} WHERE y IN (${v2}, ${v3}, ${v4}, ${v5}, ${v6}, ${v7}, ${v8}, ${v9}) OR y = ${v10}`] },
      { ctes: [sqlText`DELETE FROM b WHERE id = ${"p"} OR id = ${"q"}`] },
    ]);
    expect(combined.text).toContain("w0_0 AS (UPDATE a SET x = $1 WHERE y IN ($2, $3, $4, $5, $6, $7, $8, $9) OR y = $10)");
    expect(combined.text).toContain("w1_0 AS (DELETE FROM b WHERE id = $11 OR id = $12)");
    expect(combined.params).toEqual([...ten, "p", "q"]);
  });

  it("points cte(i) at the i-th part of the same write, not of another", () => {
    const combined = combineWrites([
      { ctes: [sqlText`INSERT INTO a VALUES (${1}) RETURNING id`, sqlText`INSERT INTO b SELECT id FROM ${cte(0)}`] },
      { ctes: [sqlText`INSERT INTO c VALUES (${2}) RETURNING id`, sqlText`INSERT INTO d SELECT id FROM ${cte(0)}`] },
    ]);
    expect(combined.text).toContain("w0_1 AS (INSERT INTO b SELECT id FROM w0_0)");
    expect(combined.text).toContain("w1_1 AS (INSERT INTO d SELECT id FROM w1_0)");
    expect(combined.text.endsWith("SELECT 1")).toBe(true);
    expect(combined.params).toEqual([1, 2]);
  });

  it("sends an array placed twice in one part once", () => {
    const ids = ["a", "b"];
    const combined = combineWrites([
      { ctes: [sqlText`DELETE FROM t USING unnest(${ids}::text[]) u(id) WHERE t.id = u.id AND t.id = ANY (${ids})`] },
    ]);
    expect(combined.text).toContain("unnest($1::text[]) u(id) WHERE t.id = u.id AND t.id = ANY ($1)");
    expect(combined.params).toEqual([ids]);
  });
});

describe("a transaction", () => {
  function recording() {
    const statements: string[] = [];
    const open = transactionOn({ query: async (text) => (statements.push(text), { rows: [], rowCount: 0 }) });
    return { ...open, statements };
  }
  const buffer = (tables: string[]) =>
    new DeferredRows<number>(1, (rows) => [{ ctes: [sqlText`INSERT INTO s.t SELECT unnest(${rows}::int[])`] }], tables);

  it("writes a buffer whose table a statement names before that statement, and leaves write-only buffers for the commit", async () => {
    const { tx, statements } = recording();
    tx.deferred({}, () => buffer(["s.t"])).rows.push(1);
    tx.deferred({}, () => buffer([])).rows.push(2);
    await tx.query(`SELECT * FROM s.other`);
    await tx.query(`SELECT * FROM s.t WHERE x = $1`, [1]);
    tx.send(`DELETE FROM s.t`);
    expect(statements.map((text) => text.startsWith("WITH"))).toEqual([false, true, false, false]);
  });

  it("computes a memo once and keeps it for the transaction only", () => {
    const key = {};
    const first = recording().tx;
    let computed = 0;
    expect(first.memo(key, () => ++computed)).toBe(1);
    expect(first.memo(key, () => ++computed)).toBe(1);
    expect(recording().tx.memo(key, () => ++computed)).toBe(2);
  });
});
