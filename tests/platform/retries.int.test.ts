import { afterEach, describe, expect, it } from "vitest";
import { sqlText } from "../../src/platform/db/sql-text.js";
import { RETRY_LADDER_MS } from "../../src/platform/events/retries.js";
import type { Consumer } from "../../src/platform/events/consumers.js";
import { probeModule, ping, ProbePinged } from "../support/probe.js";
import { call, startTestApp, type TestApp } from "../support/test-app.js";

let t: TestApp | undefined;
afterEach(async () => {
  await t?.stop();
  t = undefined;
});

const count = async (test: TestApp, sql: string, params: unknown[] = []) =>
  Number((await test.app.kernel.db.query<{ n: number }>(sql, params)).rows[0]!.n);

describe("inbox", () => {
  it("changes state once when the same event is delivered twice", async () => {
    t = await startTestApp({ modules: [probeModule()] });
    const { kernel } = t.app;
    const event = ping("dup", 1);
    await kernel.db.tx((tx) => kernel.outbox.append(tx, [event]));
    await t.settle();
    // A redelivery, as NATS would do after a lost ack, in a batch and alone.
    const consumer = kernel.hub.consumer("probe.recorder")!;
    await kernel.db.tx((tx) =>
      kernel.hub.deliver(tx, [
        { consumer, event },
        { consumer, event: ping("dup", 2) },
      ]),
    );
    await kernel.db.tx((tx) => kernel.hub.deliver(tx, [{ consumer, event }]));
    expect(await count(t, `SELECT count(*)::int AS n FROM platform.probe_effects WHERE event_id = $1`, [event.eventId])).toBe(1);
  });
});

describe("retries and dead letters", () => {
  it("treats a deferred write that fails as its handler's failure: the rest of the batch applies, that event retries", async () => {
    t = await startTestApp({ modules: [probeModule()], workers: false });
    const { kernel } = t.app;
    // Writes its note at commit; the note of seq 13 breaks NOT NULL only when the combined statement runs.
    const breaker: Consumer = {
      name: "probe.breaker",
      types: [ProbePinged.type],
      async handle(tx, event) {
        const { seq } = event.payload as { seq: number };
        tx.later({
          ctes: [
            sqlText`INSERT INTO platform.probe_notes (id, owner, text) VALUES (${event.eventId}::text, ${seq === 13 ? null : "owner"}::text, 'x')`,
          ],
        });
      },
    };
    const good = ping("brk", 1);
    const bad = ping("brk", 13);
    await kernel.db.tx((tx) =>
      kernel.hub.deliver(tx, [
        { consumer: breaker, event: good },
        { consumer: breaker, event: bad },
      ]),
    );
    expect(await count(t, `SELECT count(*)::int AS n FROM platform.probe_notes WHERE id = ANY($1)`, [[good.eventId, bad.eventId]])).toBe(1);
    expect(await count(t, `SELECT count(*)::int AS n FROM platform.probe_notes WHERE id = $1`, [good.eventId])).toBe(1);
    expect(
      await count(t, `SELECT count(*)::int AS n FROM platform.consumer_retries WHERE consumer = 'probe.breaker' AND event_id = $1`, [
        bad.eventId,
      ]),
    ).toBe(1);
  });

  it("retries a failing handler at 1 s, 5 s, 30 s, 5 min and 1 h, then dead-letters it; replay after a fix applies it once", async () => {
    const probe = probeModule({ failing: true, calls: 0 });
    t = await startTestApp({ modules: [probe] });
    const { kernel } = t.app;
    // This test drives the retry worker by hand, with the clock.
    await Promise.all(kernel.pollers.map((poller) => poller.stop()));
    const event = ping("sick", 1);
    await kernel.db.tx((tx) => kernel.outbox.append(tx, [event]));
    await t.settle();
    expect(probe.control.calls).toBe(1);

    for (const [index, delay] of RETRY_LADDER_MS.entries()) {
      const retry = (
        await kernel.db.query<{ attempts: number; next_attempt_at: Date }>(
          `SELECT attempts, next_attempt_at FROM platform.consumer_retries`,
        )
      ).rows[0]!;
      expect(retry.attempts).toBe(index + 1);
      expect(new Date(retry.next_attempt_at).getTime()).toBe(t.clock.now().getTime() + delay);
      // Not a millisecond early.
      t.clock.advance(delay - 1);
      await kernel.retries.runDue();
      expect(probe.control.calls).toBe(index + 1);
      t.clock.advance(1);
      await kernel.retries.runDue();
      expect(probe.control.calls).toBe(index + 2);
    }
    expect(await count(t, `SELECT count(*)::int AS n FROM platform.consumer_retries`)).toBe(0);

    const admin = await t.token({ sub: "usr_ops", tid: "ten_platform", roles: ["platform_admin"] });
    const listed = await call(t.app, "GET", "/api/v1/ops/dlq?queue=probe.dlq", { token: admin });
    expect(listed.status).toBe(200);
    expect(listed.body.items).toHaveLength(1);
    const letter = listed.body.items[0];
    expect(letter).toMatchObject({ consumer: "probe.recorder", eventId: event.eventId, type: "probe.pinged.v1", queue: "probe.dlq" });
    expect(letter.attempts).toHaveLength(6);
    expect(letter.error).toContain("probe downstream is down");

    // Still broken: the replay fails, the letter stays with one more attempt.
    const failedReplay = await call(t.app, "POST", `/api/v1/ops/dlq/${letter.id}/replay`, { token: admin });
    expect(failedReplay.status).toBe(409);
    expect(failedReplay.body.code).toBe("DLQ.REPLAY_FAILED");

    probe.control.failing = false;
    const replay = await call(t.app, "POST", `/api/v1/ops/dlq/${letter.id}/replay`, { token: admin });
    expect(replay.status).toBe(200);
    const again = await call(t.app, "POST", `/api/v1/ops/dlq/${letter.id}/replay`, { token: admin });
    expect(again.body.code).toBe("DLQ.ALREADY_REPLAYED");
    expect(await count(t, `SELECT count(*)::int AS n FROM platform.probe_effects WHERE event_id = $1`, [event.eventId])).toBe(1);
    const after = await call(t.app, "GET", "/api/v1/ops/dlq?pending=true", { token: admin });
    expect(after.body.items).toHaveLength(0);
  });

  it("applies a handler that recovers during its retries exactly once", async () => {
    const probe = probeModule({ failing: true, calls: 0 });
    t = await startTestApp({ modules: [probe] });
    const { kernel } = t.app;
    await Promise.all(kernel.pollers.map((poller) => poller.stop()));
    const events = [ping("flaky", 1), ping("flaky", 2)];
    await kernel.db.tx((tx) => kernel.outbox.append(tx, events));
    await t.settle();
    probe.control.failing = false;
    t.clock.advance(1_000);
    await kernel.retries.runDue();
    await kernel.retries.runDue();
    expect(await count(t, `SELECT count(*)::int AS n FROM platform.probe_effects`)).toBe(2);
    expect(await count(t, `SELECT count(*)::int AS n FROM platform.consumer_retries`)).toBe(0);
    expect(await count(t, `SELECT count(*)::int AS n FROM platform.dead_letters`)).toBe(0);
  });
});
