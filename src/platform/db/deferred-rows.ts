import type { DeferredWrites, Write } from "./db.js";

/**
 * A transaction's buffer of rows written at commit: the rows in append order, turned into writes
 * when the transaction flushes. Its savepoint mark is a copy, not a length: a flush inside the
 * savepoint empties the buffer, and a rollback must bring back what was buffered before it.
 */
export class DeferredRows<T> implements DeferredWrites {
  rows: T[] = [];
  constructor(
    readonly order: number,
    private readonly toWrites: (rows: T[]) => Write[],
  ) {}
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
