import type { SqlText } from "./db.js";

/**
 * SQL with its values in place: `sqlText\`UPDATE t SET x = ${x} WHERE id = ${id}\``. Nothing is
 * numbered here: `combineWrites` gives each value its `$n` when it puts the parts of a statement
 * together, so no part's text is rewritten and one part's numbers cannot collide with another's.
 * The text depends only on where the values go, never on what they are, so it stays one prepared
 * statement per shape.
 */
export function sqlText(strings: TemplateStringsArray, ...values: unknown[]): SqlText {
  return { strings, values };
}

/** Among a CTE's values: names the i-th CTE of the same write (an INSERT … RETURNING a later CTE reads). */
export class CteRef {
  constructor(readonly index: number) {}
}

export const cte = (index: number): CteRef => new CteRef(index);
