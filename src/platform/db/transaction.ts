import type { DeferredWrites, Sql, Tx } from "./db.js";

export interface OpenTransaction {
  tx: Tx;
  commitHooks: Array<() => void>;
  /** Writes every deferred buffer; the adapter calls it right before COMMIT. */
  flushDeferred(): Promise<void>;
}

/** Shared by both adapters: savepoints, deferred writes and after-commit hooks over a connection already in BEGIN. */
export function transactionOn(sql: Sql): OpenTransaction {
  const commitHooks: Array<() => void> = [];
  const deferred = new Map<object, DeferredWrites>();
  let depth = 0;
  const tx: Tx = {
    query: (text, params) => sql.query(text, params),
    async savepoint(fn) {
      const name = `sp_${++depth}`;
      const marks = new Map([...deferred].map(([key, writes]) => [key, writes.mark()] as const));
      await sql.query(`SAVEPOINT ${name}`);
      try {
        const value = await fn();
        await sql.query(`RELEASE SAVEPOINT ${name}`);
        return value;
      } catch (error) {
        await sql.query(`ROLLBACK TO SAVEPOINT ${name}`);
        for (const [key, writes] of deferred) writes.rollback(marks.get(key));
        throw error;
      } finally {
        depth--;
      }
    },
    afterCommit(fn) {
      commitHooks.push(fn);
    },
    deferred<D extends DeferredWrites>(key: object, create: () => D): D {
      let writes = deferred.get(key);
      if (!writes) deferred.set(key, (writes = create()));
      return writes as D;
    },
  };
  async function flushDeferred(): Promise<void> {
    const ordered = [...deferred.values()].sort((a, b) => a.order - b.order);
    for (const writes of ordered) await writes.flush(tx);
  }
  return { tx, commitHooks, flushDeferred };
}

export function runHooks(hooks: Array<() => void>): void {
  for (const hook of hooks) {
    try {
      hook();
    } catch {
      // A hook is a best-effort nudge (the relay also polls); it must never fail a committed transaction.
    }
  }
}
