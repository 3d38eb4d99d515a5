import type { Logger } from "pino";

/** A background loop over a database-backed work queue: runs `work` until it finds nothing, then sleeps. */
export class Poller {
  private running = false;
  private loop: Promise<void> | null = null;
  private wakeUp: (() => void) | null = null;
  /** Set by `wake` while a pass runs: the pass may have looked before the new work was committed. */
  private woken = false;

  constructor(
    readonly name: string,
    private readonly intervalMs: number,
    private readonly work: () => Promise<number>,
    private readonly logger: Logger,
    /** Wait one interval before the first pass (housekeeping with nothing to do at start-up). */
    private readonly firstPassAfterInterval = false,
  ) {}

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
      try {
        found = await this.work();
      } catch (error) {
        this.logger.error({ err: error, poller: this.name }, "poller pass failed");
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
