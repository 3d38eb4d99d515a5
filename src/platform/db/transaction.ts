import type { Sql, Tx } from "./db.js";

/** Shared by both adapters: savepoints and after-commit hooks over a connection already in BEGIN. */
export function transactionOn(sql: Sql): { tx: Tx; commitHooks: Array<() => void> } {
  const commitHooks: Array<() => void> = [];
  let depth = 0;
  const tx: Tx = {
    query: (text, params) => sql.query(text, params),
    async savepoint(fn) {
      const name = `sp_${++depth}`;
      await sql.query(`SAVEPOINT ${name}`);
      try {
        const value = await fn();
        await sql.query(`RELEASE SAVEPOINT ${name}`);
        return value;
      } catch (error) {
        await sql.query(`ROLLBACK TO SAVEPOINT ${name}`);
        throw error;
      } finally {
        depth--;
      }
    },
    afterCommit(fn) {
      commitHooks.push(fn);
    },
  };
  return { tx, commitHooks };
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
