import { afterEach, describe, expect, it } from "vitest";
import { InProcessPublisher } from "../../src/platform/events/consumers.js";
import { Relay, type Publisher } from "../../src/platform/events/relay.js";
import { probeModule, ping } from "../support/probe.js";
import { startTestApp, type TestApp } from "../support/test-app.js";

let t: TestApp | undefined;
afterEach(async () => {
  await t?.stop();
  t = undefined;
});

async function effects(test: TestApp, key?: string) {
  const rows = await test.app.kernel.db.query<{ event_id: string; seq: number }>(
    `SELECT event_id, seq FROM platform.probe_effects WHERE ($1::text IS NULL OR key = $1) ORDER BY applied_at, seq`,
    [key ?? null],
  );
  return rows.rows;
}

describe("transactional outbox", () => {
  it("publishes an event after its transaction commits", async () => {
    t = await startTestApp({ modules: [probeModule()] });
    const event = ping("k1", 1);
    await t.app.kernel.db.tx((tx) => t!.app.kernel.outbox.append(tx, [event]));
    await t.settle();
    expect((await effects(t)).map((e) => e.event_id)).toEqual([event.eventId]);
  });

  it("never publishes an event whose transaction rolled back", async () => {
    t = await startTestApp({ modules: [probeModule()] });
    const event = ping("k1", 1);
    await expect(
      t.app.kernel.db.tx(async (tx) => {
        await t!.app.kernel.outbox.append(tx, [event]);
        throw new Error("business rule failed after the event was written");
      }),
    ).rejects.toThrow("business rule failed");
    await t.settle();
    expect(await effects(t)).toEqual([]);
    const logged = await t.app.kernel.db.query(`SELECT 1 FROM platform.outbox WHERE event_id = $1`, [event.eventId]);
    expect(logged.rows).toHaveLength(0);
  });

  it("drops the events of a savepoint that rolled back and keeps the rest of the transaction's", async () => {
    t = await startTestApp({ modules: [probeModule()] });
    const kept = [ping("sp", 1), ping("sp", 3)];
    const dropped = ping("sp", 2);
    await t.app.kernel.db.tx(async (tx) => {
      await t!.app.kernel.outbox.append(tx, [kept[0]!]);
      await expect(
        tx.savepoint(async () => {
          await t!.app.kernel.outbox.append(tx, [dropped]);
          throw new Error("one delivery failed");
        }),
      ).rejects.toThrow("one delivery failed");
      await t!.app.kernel.outbox.append(tx, [kept[1]!]);
    });
    await t.settle();
    expect((await effects(t)).map((e) => e.event_id)).toEqual(kept.map((e) => e.eventId));
  });

  it("brings back the events buffered before a savepoint that flushed and then rolled back", async () => {
    t = await startTestApp({ modules: [probeModule()] });
    const before = ping("spf", 1);
    const inside = ping("spf", 2);
    await t.app.kernel.db.tx(async (tx) => {
      await t!.app.kernel.outbox.append(tx, [before]);
      await expect(
        tx.savepoint(async () => {
          await t!.app.kernel.outbox.append(tx, [inside]);
          await tx.flush(); // writes both, then the rollback undoes both rows
          throw new Error("failed after the flush");
        }),
      ).rejects.toThrow("failed after the flush");
    });
    await t.settle();
    expect((await effects(t)).map((e) => e.event_id)).toEqual([before.eventId]);
  });

  it("publishes a burst spread over every bucket without waiting for the poll", async () => {
    // Four loops each claim a quarter of the buckets; a one-minute poll means only wake-ups can move these.
    t = await startTestApp({ modules: [probeModule()], env: { RELAY_CONCURRENCY: "4", RELAY_POLL_MS: "60000" } });
    const kernel = t.app.kernel;
    const events = Array.from({ length: 64 }, (_, i) => ping(`burst-${i}`, 1));
    await Promise.all(events.map((event) => kernel.db.tx((tx) => kernel.outbox.append(tx, [event]))));
    const deadline = Date.now() + 5_000;
    while ((await effects(t)).length < events.length && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    expect((await effects(t)).map((e) => e.event_id).sort()).toEqual(events.map((e) => e.eventId).sort());
  });

  it("refuses to store a payload that breaks its schema", async () => {
    t = await startTestApp({ modules: [probeModule()] });
    const bad = { ...ping("k1", 1), payload: { key: "k1", seq: "one" } };
    await expect(t.app.kernel.db.tx((tx) => t!.app.kernel.outbox.append(tx, [bad]))).rejects.toThrow(/breaks its contract/);
  });

  it("loses nothing when the relay dies between publishing and marking, and applies the event once", async () => {
    t = await startTestApp({ modules: [probeModule()], workers: false });
    const kernel = t.app.kernel;
    const events = [ping("crash", 1), ping("crash", 2), ping("other", 1)];
    await kernel.db.tx((tx) => kernel.outbox.append(tx, events));

    // A relay whose process "dies" right after the bus accepted the batch, before the rows are marked.
    const real: Publisher = kernel.bus ?? new InProcessPublisher(kernel.hub);
    let died = false;
    const dying = new Relay(
      kernel.db,
      {
        async publish(tx, envs) {
          await real.publish(tx, envs);
          died = true;
          throw new Error("process killed");
        },
      },
      { batchSize: 100, concurrency: 1, pollMs: 10 },
      { published: () => undefined, failed: () => undefined },
    );
    await expect(dying.runOnce()).rejects.toThrow("process killed");
    expect(died).toBe(true);

    // Restart: the rows are still pending and go out again.
    await t.app.start();
    await t.settle();
    const applied = await effects(t);
    expect(applied.map((e) => e.event_id).sort()).toEqual(events.map((e) => e.eventId).sort());
    const pending = await kernel.db.query(`SELECT 1 FROM platform.outbox_pending`);
    expect(pending.rows).toHaveLength(0);
  });

  it("keeps each partition key's order with several relay loops in flight", async () => {
    t = await startTestApp({ modules: [probeModule()], env: { RELAY_CONCURRENCY: "4", RELAY_BATCH_SIZE: "7" } });
    const kernel = t.app.kernel;
    const keys = ["a", "b", "c", "d", "e", "f"];
    // Interleaved commits from concurrent writers; each key's seq rises with commit order.
    await Promise.all(
      keys.map(async (key) => {
        for (let seq = 1; seq <= 20; seq++) await kernel.db.tx((tx) => kernel.outbox.append(tx, [ping(key, seq)]));
      }),
    );
    await t.settle();
    for (const key of keys) {
      expect((await effects(t, key)).map((e) => e.seq)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    }
  });
});
