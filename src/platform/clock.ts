/** Time is a port: domain code never reads the wall clock, tests move this one. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** A clock the test-clock routes may move forward (TEST_CLOCK=on); `set` is absolute, `advance` relative. */
export interface AdjustableClock extends Clock {
  advance(ms: number): void;
  set(at: Date | string): void;
}

export function isAdjustable(clock: Clock): clock is AdjustableClock {
  const candidate = clock as Partial<AdjustableClock>;
  return typeof candidate.advance === "function" && typeof candidate.set === "function";
}

export class ManualClock implements AdjustableClock {
  private current: number;
  constructor(start: Date | string = "2026-01-01T00:00:00.000Z") {
    this.current = new Date(start).getTime();
  }
  now(): Date {
    return new Date(this.current);
  }
  advance(ms: number): void {
    this.current += ms;
  }
  set(at: Date | string): void {
    this.current = new Date(at).getTime();
  }
}

/**
 * Real time plus an offset: a service started with TEST_CLOCK=on keeps behaving normally between
 * advances (timeouts still run out on their own), and an advance only ever adds to the offset.
 */
export class OffsetClock implements AdjustableClock {
  private offsetMs = 0;
  constructor(private readonly wall: () => number = Date.now) {}
  now(): Date {
    return new Date(this.wall() + this.offsetMs);
  }
  advance(ms: number): void {
    this.offsetMs += ms;
  }
  set(at: Date | string): void {
    this.offsetMs = new Date(at).getTime() - this.wall();
  }
}
