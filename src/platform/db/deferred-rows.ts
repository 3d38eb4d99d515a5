import type { DeferredWrites, Write } from "./db.js";

/**
 * A transaction's buffer of rows written at commit: the rows in append order, turned into writes
 * when the transaction flushes. Its savepoint mark is a copy, not a length: a flush inside the
 * savepoint empties the buffer, and a rollback must bring back what was buffered before it.
 */
export class DeferredRows<T> implements DeferredWrites {
  rows: T[] = [];
  /** `tables`: see `DeferredWrites.tables`; name them when the transaction may read the rows back. */
  constructor(
    readonly order: number,
    private readonly toWrites: (rows: T[]) => Write[],
    readonly tables: readonly string[] = [],
  ) {}
  /**
   * Replaces every buffered row `change` maps to a new one (undefined keeps it); returns the new
   * rows. Replaced, never edited in place: a savepoint's mark holds the rows as they were.
   */
  update(change: (row: T) => T | undefined): T[] {
    const changed: T[] = [];
    this.rows = this.rows.map((row) => {
      const next = change(row);
      if (next === undefined) return row;
      changed.push(next);
      return next;
    });
    return changed;
  }
  drain(): Write[] {
    return this.rows.length > 0 ? this.toWrites(this.rows.splice(0)) : [];
  }
  mark(): T[] {
    return [...this.rows];
  }
  rollback(mark: unknown): void {
    this.rows = [...((mark as T[] | undefined) ?? [])];
  }
}
