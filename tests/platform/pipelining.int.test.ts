import { afterEach, describe, expect, it } from "vitest";
import { PostgresDb } from "../../src/platform/db/postgres.js";
import { sqlText } from "../../src/platform/db/sql-text.js";
import { onPostgres, startTestApp, type TestApp } from "../support/test-app.js";

let t: TestApp | undefined;
afterEach(async () => {
  await t?.stop();
  t = undefined;
});

const INSERT = `INSERT INTO platform.inbox (consumer, event_id) VALUES ($1, $2)`;
const kept = async (app: TestApp, consumer: string) =>
  (
    await app.app.kernel.db.query<{ event_id: string }>(`SELECT event_id FROM platform.inbox WHERE consumer = $1 ORDER BY event_id`, [
      consumer,
    ])
  ).rows.map((r) => r.event_id);

describe("statements sent without waiting", () => {
  it("fail the transaction with their own error, not the aborted transaction's, and keep none of its writes", async () => {
    t = await startTestApp();
    const done = t.app.kernel.db.tx(async (tx) => {
      await tx.query(INSERT, ["test.send.a", "evt_1"]);
      tx.send(INSERT, ["test.send.a", "evt_1"]); // a duplicate
      await tx.query(INSERT, ["test.send.a", "evt_2"]);
    });
    await expect(done).rejects.toMatchObject({ code: "23505" });
    expect(await kept(t, "test.send.a")).toEqual([]);
  });

  it("fail only the savepoint they were sent in", async () => {
    t = await startTestApp();
    await t.app.kernel.db.tx(async (tx) => {
      await tx.query(INSERT, ["test.send.b", "evt_1"]);
      await expect(
        tx.savepoint(async () => {
          tx.send(INSERT, ["test.send.b", "evt_2"]);
          tx.send(INSERT, ["test.send.b", "evt_1"]); // a duplicate
        }),
      ).rejects.toMatchObject({ code: "23505" });
      tx.send(INSERT, ["test.send.b", "evt_3"]);
    });
    expect(await kept(t, "test.send.b")).toEqual(["evt_1", "evt_3"]);
  });

  it("fail the commit when the last of them fails, and nothing is committed", async () => {
    t = await startTestApp();
    const done = t.app.kernel.db.tx(async (tx) => {
      tx.send(INSERT, ["test.send.c", "evt_1"]);
      tx.later({ ctes: [sqlText`INSERT INTO platform.inbox (consumer, event_id) VALUES (${"test.send.c"}, ${"evt_2"})`] });
      tx.send(INSERT, ["test.send.c", "evt_1"]); // a duplicate
    });
    await expect(done).rejects.toMatchObject({ code: "23505" });
    expect(await kept(t, "test.send.c")).toEqual([]);
  });

  it("fail a savepoint opened after them with their own error, not the missing savepoint's", async () => {
    t = await startTestApp();
    const done = t.app.kernel.db.tx(async (tx) => {
      await tx.query(INSERT, ["test.send.e", "evt_1"]);
      tx.send(INSERT, ["test.send.e", "evt_1"]); // a duplicate, sent before the savepoint
      await tx.savepoint(async () => {
        throw new Error("the savepoint's own work failed");
      });
    });
    await expect(done).rejects.toMatchObject({ code: "23505" });
    expect(await kept(t, "test.send.e")).toEqual([]);
  });

  it.runIf(onPostgres)("fail the transaction, without an unhandled rejection, when the connection is lost at commit", async () => {
    t = await startTestApp({ workers: false });
    const { db } = t.app.kernel;
    const unhandled: unknown[] = [];
    const record = (reason: unknown) => unhandled.push(reason);
    process.on("unhandledRejection", record);
    const done = db.tx(async (tx) => {
      const pid = (await tx.query<{ pid: number }>(`SELECT pg_backend_pid() AS pid WHERE $1::int = 1`, [1])).rows[0]!.pid;
      tx.send(INSERT, ["test.send.f", "evt_1"]);
      tx.later({ ctes: [sqlText`INSERT INTO platform.inbox (consumer, event_id) VALUES (${"test.send.f"}, ${"evt_2"})`] });
      await db.query(`SELECT pg_terminate_backend($1)`, [pid]);
    });
    await expect(done).rejects.toThrow();
    await new Promise((resolve) => setTimeout(resolve, 100));
    process.off("unhandledRejection", record);
    expect(unhandled).toEqual([]);
    expect(await kept(t, "test.send.f")).toEqual([]);
    // The pool replaced the lost session.
    expect((await db.tx((tx) => tx.query<{ one: number }>(`SELECT 1 AS one WHERE $1::int = 1`, [1]))).rows).toEqual([{ one: 1 }]);
  });

  it.runIf(onPostgres)(
    "leave with the statements around them: BEGIN with the first, COMMIT with the pre-commit write, one socket write each",
    async () => {
      t = await startTestApp({ workers: false }); // no relay or consumer shares the pool meanwhile
      const db = t.app.kernel.db as PostgresDb;
      let writes = 0;
      const counting = (client: { connection: { stream: { _write: Function; _writev?: Function } } }) => {
        const stream = client.connection.stream;
        const write = stream._write.bind(stream);
        const writev = stream._writev?.bind(stream);
        stream._write = (...args: unknown[]) => (writes++, write(...args));
        if (writev) stream._writev = (...args: unknown[]) => (writes++, writev(...args));
        return () => {
          stream._write = write;
          if (writev) stream._writev = writev;
        };
      };
      const restore: Array<() => void> = [];
      db.pool.on("acquire", (client) => restore.push(counting(client as never)));
      try {
        await db.tx(async (tx) => {
          const read = tx.query(`SELECT 1 AS one WHERE $1::int = 1`, [1]);
          tx.send(INSERT, ["test.send.d", "evt_1"]);
          await read;
          tx.later({ ctes: [sqlText`INSERT INTO platform.inbox (consumer, event_id) VALUES (${"test.send.d"}, ${"evt_2"})`] });
          expect(writes).toBe(1); // BEGIN, the read and the send
        });
        expect(writes).toBe(2); // then the pre-commit write and COMMIT
      } finally {
        db.pool.removeAllListeners("acquire");
        restore.forEach((undo) => undo());
      }
      expect(await kept(t, "test.send.d")).toEqual(["evt_1", "evt_2"]);
    },
  );
});
