import { afterEach, describe, expect, it } from "vitest";
import type { Tx } from "../../src/platform/db/db.js";
import { SagaRuntime, sagaHistory } from "../../src/platform/saga/saga-runtime.js";
import type { SagaDefinition } from "../../src/platform/saga/saga.js";
import { startTestApp, type TestApp } from "../support/test-app.js";

/** A tiny saga: counts ticks, arms a deadline while open, finishes on Close. */
interface Count {
  status: "open" | "closed";
  ticks: number;
}
type Input = { type: "Tick" } | { type: "Close" } | { type: "Late" };
type Command =
  { type: "ScheduleDeadline"; name: string; afterMs: number } | { type: "CancelDeadline"; name: string } | { type: "Noted"; ticks: number };

const counter: SagaDefinition<Count, Input, Command> = {
  type: "test.counter",
  terminal: ["closed"],
  react(state, input) {
    if (state.status === "closed") return { state, commands: [], note: "closed" };
    if (input.type === "Tick") {
      const next = { ...state, ticks: state.ticks + 1 };
      return {
        state: next,
        commands: [
          { type: "CancelDeadline", name: "idle" },
          { type: "ScheduleDeadline", name: "idle", afterMs: 60_000 },
          { type: "Noted", ticks: next.ticks },
        ],
      };
    }
    return { state: { ...state, status: "closed" }, commands: [] };
  },
};

let t: TestApp | undefined;
afterEach(async () => {
  await t?.stop();
  t = undefined;
});

async function setup() {
  t = await startTestApp({ workers: false });
  const noted: number[] = [];
  const runtime = new SagaRuntime(
    counter,
    t.clock,
    async (_tx: Tx, _id: string, command: Command) => {
      if (command.type === "Noted") noted.push(command.ticks);
    },
    () => ({ type: "Late" }),
  );
  const db = t.app.kernel.db;
  const deadlines = async (id: string) =>
    (await db.query<{ name: string }>(`SELECT name FROM platform.saga_deadlines WHERE saga_id = $1`, [id])).rows.map((r) => r.name);
  const state = async (id: string) =>
    (await db.query<{ state: Count; steps: number }>(`SELECT state, steps FROM platform.saga_instances WHERE id = $1`, [id])).rows[0];
  return { runtime, db, noted, deadlines, state };
}

describe("saga runtime", () => {
  it("keeps what a saga records after a flush in the middle of its input: the follow-up step, its end and its deadlines", async () => {
    const { db, deadlines, state } = await setup();
    // A command that writes the transaction's buffers (as a reader of rows buffered earlier in the
    // transaction does) and hands a follow-up input back (as the licence grant does).
    const flushing = new SagaRuntime(
      counter,
      t!.clock,
      async (tx: Tx, _id: string, command: Command): Promise<Input[] | void> => {
        if (command.type !== "Noted") return;
        await tx.flush();
        return [{ type: "Close" }];
      },
      () => ({ type: "Late" }),
    );
    await db.tx((tx) => flushing.begin(tx, "sg_f", { status: "open", ticks: 0 }, { type: "Tick" }, "sg_f"));
    expect(await state("sg_f")).toEqual({ state: { status: "closed", ticks: 1 }, steps: 2 });
    expect((await sagaHistory(db, "sg_f"))?.steps.map((s) => [s.seq, s.input, s.to])).toEqual([
      [1, "Tick", "open"],
      [2, "Close", "closed"],
    ]);
    expect(await deadlines("sg_f")).toEqual([]); // the idle deadline the flush wrote went when the saga closed
  });

  it("lets a second input in the same transaction see the first, and numbers both steps", async () => {
    const { runtime, db, deadlines, state, noted } = await setup();
    await db.tx(async (tx) => {
      await runtime.begin(tx, "sg_1", { status: "open", ticks: 0 }, { type: "Tick" }, "sg_1");
      expect(await runtime.handle(tx, "sg_1", { type: "Tick" })).toEqual({ status: "open", ticks: 2 });
    });
    expect(await state("sg_1")).toEqual({ state: { status: "open", ticks: 2 }, steps: 2 });
    expect(noted).toEqual([1, 2]); // each step's commands ran with the state that step produced
    expect(await deadlines("sg_1")).toEqual(["idle"]);
    await db.tx((tx) => runtime.handle(tx, "sg_1", { type: "Tick" }));
    const history = await sagaHistory(db, "sg_1");
    expect(history?.steps.map((s) => [s.seq, s.input, s.to])).toEqual([
      [1, "Tick", "open"],
      [2, "Tick", "open"],
      [3, "Tick", "open"],
    ]);
  });

  it("forgets a step whose savepoint rolled back, and keeps the steps around it", async () => {
    const { runtime, db, state } = await setup();
    await db.tx(async (tx) => {
      await runtime.begin(tx, "sg_2", { status: "open", ticks: 0 }, { type: "Tick" }, "sg_2");
      await expect(
        tx.savepoint(async () => {
          await runtime.handle(tx, "sg_2", { type: "Tick" });
          throw new Error("the delivery failed");
        }),
      ).rejects.toThrow("the delivery failed");
      await runtime.handle(tx, "sg_2", { type: "Tick" });
    });
    expect(await state("sg_2")).toEqual({ state: { status: "open", ticks: 2 }, steps: 2 });
  });

  it("writes a step once when a savepoint that flushed it rolls back, as a failed consumer batch does before its replay", async () => {
    const { runtime, db, deadlines, state } = await setup();
    await db.tx((tx) => runtime.begin(tx, "sg_5", { status: "open", ticks: 0 }, { type: "Tick" }, "sg_5"));
    await db.tx(async (tx) => {
      await runtime.handle(tx, "sg_5", { type: "Tick" }); // buffered before the savepoint
      await expect(
        tx.savepoint(async () => {
          await runtime.handle(tx, "sg_5", { type: "Tick" });
          await tx.flush(); // both steps written inside the savepoint...
          throw new Error("a later delivery failed"); // ...and undone with it
        }),
      ).rejects.toThrow("a later delivery failed");
      await tx.savepoint(async () => {
        await runtime.handle(tx, "sg_5", { type: "Close" }); // the replay
        await tx.flush();
      });
    });
    expect(await state("sg_5")).toEqual({ state: { status: "closed", ticks: 2 }, steps: 3 });
    expect((await sagaHistory(db, "sg_5"))?.steps.map((s) => [s.seq, s.input, s.to])).toEqual([
      [1, "Tick", "open"],
      [2, "Tick", "open"],
      [3, "Close", "closed"],
    ]);
    expect(await deadlines("sg_5")).toEqual([]);
  });

  it("drops every deadline when the saga finishes, and ignores sagas it does not know", async () => {
    const { runtime, db, deadlines, state } = await setup();
    await db.tx((tx) => runtime.begin(tx, "sg_3", { status: "open", ticks: 0 }, { type: "Tick" }, "sg_3"));
    expect(await deadlines("sg_3")).toEqual(["idle"]);
    await db.tx((tx) => runtime.handle(tx, "sg_3", { type: "Close" }));
    expect(await deadlines("sg_3")).toEqual([]);
    expect((await state("sg_3"))?.state.status).toBe("closed");
    expect(await db.tx((tx) => runtime.handle(tx, "sg_unknown", { type: "Tick" }))).toBeNull();
  });

  it("fires a due deadline into the saga once", async () => {
    const { runtime, db, deadlines } = await setup();
    await db.tx((tx) => runtime.begin(tx, "sg_4", { status: "open", ticks: 0 }, { type: "Tick" }, "sg_4"));
    expect(await runtime.fireDue(db)).toBe(0);
    t!.clock.advance(61_000);
    expect(await runtime.fireDue(db)).toBe(1);
    expect(await runtime.fireDue(db)).toBe(0);
    expect(await deadlines("sg_4")).toEqual([]);
    expect((await sagaHistory(db, "sg_4"))?.steps.map((s) => s.input)).toEqual(["Tick", "Late"]);
  });
});
