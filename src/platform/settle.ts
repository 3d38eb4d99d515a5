import type { Clock } from "./clock.js";
import type { Db } from "./db/db.js";
import type { NatsBus } from "./events/nats-bus.js";
import type { Relay } from "./events/relay.js";
import type { Poller } from "./poller.js";

/** What settling looks at: the kernel's relay, bus and workers (kept narrow so the kernel can hand itself over). */
export interface SettleParts {
  db: Db;
  clock: Clock;
  relay: Relay;
  bus: NatsBus | null;
  pollers: readonly Poller[];
}

/** The system did not go quiet in time (a consumer keeps failing, a worker keeps finding work). */
export class NotSettledError extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = "NotSettledError";
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The earliest pending due time over every poller's timer table (null: none pending anywhere). */
export async function earliestDue(pollers: readonly Poller[]): Promise<Date | null> {
  const dues = await Promise.all(pollers.map((poller) => poller.nextDue?.() ?? Promise.resolve(null)));
  let earliest: Date | null = null;
  for (const due of dues) if (due && (!earliest || due.getTime() < earliest.getTime())) earliest = due;
  return earliest;
}

/**
 * Quiet means: no timer row due by the clock, no worker in a pass (it may hold a leased row whose
 * due time it moved on), nothing held by the bus, nothing left to relay. The
 * reads are ordered so a handoff between two of them cannot be missed: a worker that has claimed a
 * due row still shows it (its delete is not committed) and commits its events with the delete, so
 * they are in the outbox or on the bus by the time those are read; a consumer acknowledges after
 * its commit, so its events are in the outbox before the bus shows it done. Timers are read again
 * last, for a consumer that scheduled something already due.
 */
async function quiet(parts: SettleParts): Promise<string | null> {
  const dueNow = async () => {
    const due = await earliestDue(parts.pollers);
    return due !== null && due.getTime() <= parts.clock.now().getTime();
  };
  if (await dueNow()) return "a timer is due";
  const passing = parts.pollers.find((poller) => !poller.housekeeping && poller.busy);
  if (passing) return `worker ${passing.name} is in a pass`;
  if (parts.bus && (await parts.bus.pending()) > 0) return "bus consumers have messages pending";
  const unrelayed = await parts.db.tx((tx) => tx.query<{ n: number }>(`SELECT count(*)::int AS n FROM platform.outbox_pending`), {
    customPlans: true,
  });
  if (Number(unrelayed.rows[0]!.n) > 0) return "outbox rows not yet published";
  if (await dueNow()) return "a timer is due";
  return null;
}

/**
 * Runs every clock-driven worker until it finds nothing, publishes the outbox, and waits until the
 * consumers are done (embedded: the relay runs them; on NATS: their durables have nothing pending),
 * repeating while any of that makes more work. Housekeeping pollers are left to their interval.
 * Returns how many items the workers' passes handled here (the background loops may take some).
 */
export async function settle(parts: SettleParts, timeoutMs = 15_000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  let handled = 0;
  for (;;) {
    // A failing pass is retried like the background loop would, and never taken for quiet.
    let failed: string | null = null;
    for (const poller of parts.pollers) {
      if (poller.housekeeping) continue;
      handled += await poller.runUntilIdle().catch((error: unknown) => {
        failed = `worker ${poller.name} failed: ${error instanceof Error ? error.message : String(error)}`;
        return 0;
      });
    }
    await parts.relay.drain().catch((error: unknown) => {
      failed = `relay failed: ${error instanceof Error ? error.message : String(error)}`;
    });
    const busy = failed ?? (await quiet(parts));
    if (busy === null) return handled;
    if (Date.now() > deadline) throw new NotSettledError(`not quiet after ${timeoutMs} ms: ${busy}`);
    await sleep(20);
  }
}
