import { readdir, readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import path from "node:path";

/**
 * Plain, ordered `.sql` files, identical on PGlite and PostgreSQL 15. A hand-rolled runner because
 * the migration libraries we looked at speak only to `pg`; this one is a loop and a table.
 */
export const MIGRATIONS_DIR = fileURLToPath(new URL("../../../migrations", import.meta.url));

export interface MigrationTarget {
  /** Runs several statements at once (no parameters). */
  exec(sql: string): Promise<void>;
  query<R>(sql: string, params?: readonly unknown[]): Promise<{ rows: R[] }>;
}

export async function migrate(target: MigrationTarget, dir = MIGRATIONS_DIR): Promise<string[]> {
  const files = (await readdir(dir)).filter((name) => name.endsWith(".sql")).sort();
  // Serialises concurrent start-ups against one PostgreSQL; harmless on PGlite.
  await target.exec(`SELECT pg_advisory_lock(7244051)`);
  try {
    await target.exec(`CREATE SCHEMA IF NOT EXISTS platform;
      CREATE TABLE IF NOT EXISTS platform.schema_migrations (id text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`);
    const done = new Set((await target.query<{ id: string }>(`SELECT id FROM platform.schema_migrations`)).rows.map((row) => row.id));
    const applied: string[] = [];
    for (const file of files) {
      if (done.has(file)) continue;
      const sql = await readFile(path.join(dir, file), "utf8");
      await target.exec(`BEGIN;\n${sql}\n;INSERT INTO platform.schema_migrations (id) VALUES ('${file.replaceAll("'", "''")}');\nCOMMIT;`);
      applied.push(file);
    }
    return applied;
  } finally {
    await target.exec(`SELECT pg_advisory_unlock(7244051)`);
  }
}
