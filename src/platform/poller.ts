import type { Logger } from "pino";
import type { Db } from "./db/db.js";

export interface PollerOptions {
  /** Wait one interval before the first pass (housekeeping with nothing to do at start-up). */
  firstPassAfterInterval?: boolean;
  /**
   * The earliest due time still pending in this poller's timer table (null: nothing pending). The
   * test clock steps through these, so every deadline fires at its own time; the context that owns
   * the table supplies it.
   */
  nextDue?: () => Promise<Date | null>;
}

/**
 * A poller's `nextDue` from one `SELECT min(…) AS due` over its timer table, read across every tenant
 * (the workers' scope) and planned per call: the tables swing between empty and full.
 */
export async function earliestIn(db: Db, text: string, params: readonly unknown[] = []): Promise<Date | null> {
  const result = await db.tx((tx) => tx.query<{ due: Date | string | null }>(text, params), { customPlans: true });
  const due = result.rows[0]?.due;
  return due === null || due === undefined ? null : new Date(due);
}

/** A background loop over a database-backed work queue: runs `work` until it finds nothing, then sleeps. */
export class Poller {
  private running = false;
  private loop: Promise<void> | null = null;
  private wakeUp: (() => void) | null = null;
  /** Set by `wake` while a pass runs: the pass may have looked before the new work was committed. */
  private woken = false;
  /** A pass of the loop is running: work it took (a leased row, a call out) is not done yet. */
  private passing = false;
  private readonly firstPassAfterInterval: boolean;
  readonly nextDue: (() => Promise<Date | null>) | undefined;

  constructor(
    readonly name: string,
    private readonly intervalMs: number,
    private readonly work: () => Promise<number>,
    private readonly logger: Logger,
    options: boolean | PollerOptions = {},
  ) {
    const { firstPassAfterInterval = false, nextDue } = typeof options === "boolean" ? { firstPassAfterInterval: options } : options;
    this.firstPassAfterInterval = firstPassAfterInterval;
    this.nextDue = nextDue;
  }

  /**
   * The loop is in a pass. Settling waits for it: a pass may have leased a row (moved its due time
   * on) and be waiting on a provider, and the test clock must not move past that lease meanwhile.
   */
  get busy(): boolean {
    return this.passing;
  }

  /** Housekeeping (not driven by the clock): the test clock's settling leaves it to its interval. */
  get housekeeping(): boolean {
    return this.firstPassAfterInterval;
  }

  /**
   * Runs passes now, alongside the loop, until one finds nothing (at most `maxPasses`); returns how
   * many items they handled. The work claims its rows with SKIP LOCKED, so the loop's own pass and
   * these never do an item twice.
   */
  async runUntilIdle(maxPasses = 1_000): Promise<number> {
    let total = 0;
    for (let pass = 0; pass < maxPasses; pass++) {
      const found = await this.work();
      if (found <= 0) return total;
      total += found;
    }
    throw new Error(`poller ${this.name} still finds work after ${maxPasses} passes`);
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wakeUp?.();
    await this.loop;
  }

  /** Runs a pass now instead of at the next interval (new work was just committed). */
  wake(): void {
    this.woken = true;
    this.wakeUp?.();
  }

  private async run(): Promise<void> {
    if (this.firstPassAfterInterval) await this.sleep();
    while (this.running) {
      this.woken = false;
      let found = 0;
      this.passing = true;
      try {
        found = await this.work();
      } catch (error) {
        this.logger.error({ err: error, poller: this.name }, "poller pass failed");
      } finally {
        this.passing = false;
      }
      if (!this.running) break; // stopped during the pass: do not start a sleep nothing would end
      if (found > 0 || this.woken) continue;
      await this.sleep();
    }
  }

  /** Until the interval passes, or `wake` or `stop` is called. */
  private async sleep(): Promise<void> {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, this.intervalMs);
      this.wakeUp = () => {
        clearTimeout(timer);
        resolve();
      };
    });
    this.wakeUp = null;
  }
}
