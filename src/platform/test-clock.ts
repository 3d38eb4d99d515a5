import type { AdjustableClock } from "./clock.js";
import { RejectionError } from "./result.js";
import { earliestDue, NotSettledError, settle, type SettleParts } from "./settle.js";

/** The farthest one advance may go: far enough for any renewal cycle, short of runaway arithmetic. */
export const MAX_ADVANCE_MS = 5 * 366 * 86_400_000;

export interface TestClockLimits {
  /** Due times one advance may stop at before it gives up (a timer that re-arms itself forever). */
  maxSteps: number;
  /** Wall time one advance may take, settling included. */
  maxWallMs: number;
}

const DEFAULT_LIMITS: TestClockLimits = { maxSteps: 10_000, maxWallMs: 120_000 };

export interface Advanced {
  now: Date;
  /** How many due times the clock stopped at, each one's deadlines fired and their effects settled. */
  fired: number;
}

/**
 * Moves an adjustable clock forward as if the time had passed: it stops at every pending due time
 * on the way (earliest first, never backwards), runs the workers and waits for quiet there, then
 * goes on, so a deadline's effects (and the deadlines they schedule) happen at their own time. Two
 * advances never interleave: each waits for the one before it.
 */
export class TestClock {
  private tail: Promise<unknown> = Promise.resolve();

  constructor(
    readonly clock: AdjustableClock,
    private readonly parts: SettleParts,
    private readonly limits: TestClockLimits = DEFAULT_LIMITS,
  ) {}

  now(): Date {
    return this.clock.now();
  }

  /** `ms` from the clock's time when this advance begins (after any advance queued before it), or up `to` an instant. */
  advance(by: { ms: number } | { to: Date }): Promise<Advanced> {
    const run = this.tail.then(() => this.run(by));
    this.tail = run.catch(() => undefined);
    return run;
  }

  private async run(by: { ms: number } | { to: Date }): Promise<Advanced> {
    const start = this.clock.now().getTime();
    const target = "ms" in by ? start + by.ms : by.to.getTime();
    if (target < start)
      throw new RejectionError({
        code: "TEST_CLOCK.BACKWARDS",
        detail: `the clock is at ${new Date(start).toISOString()}; it only moves forward`,
        field: "to",
      });
    if (target - start > MAX_ADVANCE_MS)
      throw new RejectionError({ code: "TEST_CLOCK.TOO_FAR", detail: `one advance moves at most ${MAX_ADVANCE_MS} ms`, field: "to" });
    const deadline = Date.now() + this.limits.maxWallMs;
    const settleHere = () => settle(this.parts, Math.max(1, deadline - Date.now()));
    let fired = 0;
    try {
      // What is already due (or in flight) happens before the clock moves, so it is not dated later.
      await settleHere();
      for (;;) {
        const due = await earliestDue(this.parts.pollers);
        if (due === null || due.getTime() > target) break;
        if (++fired > this.limits.maxSteps)
          throw new NotSettledError(`more than ${this.limits.maxSteps} due times before ${new Date(target).toISOString()}`);
        if (due.getTime() > this.clock.now().getTime()) this.clock.set(due);
        await settleHere();
        if (Date.now() > deadline) throw new NotSettledError(`still stepping after ${this.limits.maxWallMs} ms`);
      }
      if (target > this.clock.now().getTime()) this.clock.set(new Date(target));
      await settleHere();
    } catch (error) {
      if (!(error instanceof NotSettledError)) throw error;
      throw new RejectionError({
        code: "TEST_CLOCK.UNSETTLED",
        detail: `stopped at ${this.clock.now().toISOString()} (${fired} due times fired): ${error.reason}`,
      });
    }
    return { now: this.clock.now(), fired };
  }
}
