import pino from "pino";
import { describe, expect, it } from "vitest";
import { Poller } from "./poller.js";

const silent = pino({ level: "silent" });
const tick = () => new Promise((resolve) => setTimeout(resolve, 20));

/** A started poller with a long interval that counts its passes. */
function counting(firstPassAfterInterval = false) {
  let passes = 0;
  const poller = new Poller("test", 60_000, async () => (passes++, 0), silent, firstPassAfterInterval);
  poller.start();
  return { poller, passes: () => passes };
}

describe("Poller.wake", () => {
  it("runs a pass at once instead of waiting out the interval", async () => {
    const { poller, passes } = counting();
    await tick();
    expect(passes()).toBe(1);
    poller.wake();
    await tick();
    expect(passes()).toBe(2);
    await poller.stop();
  });

  it("runs another pass when woken during one, which may have looked before the new work committed", async () => {
    let passes = 0;
    let release!: () => void;
    const poller = new Poller(
      "test",
      60_000,
      async () => {
        passes++;
        if (passes === 1) await new Promise<void>((resolve) => (release = resolve));
        return 0;
      },
      silent,
    );
    poller.start();
    await tick();
    poller.wake();
    release();
    await tick();
    expect(passes).toBe(2);
    await tick();
    expect(passes).toBe(2);
    await poller.stop();
  });
});

describe("Poller.stop", () => {
  it("returns once a pass in progress ends, without waiting out the interval", async () => {
    let release!: () => void;
    const poller = new Poller("test", 60_000, () => new Promise<number>((resolve) => (release = () => resolve(0))), silent);
    poller.start();
    await tick();
    let stopped = false;
    const stopping = poller.stop().then(() => (stopped = true));
    release();
    await tick();
    expect(stopped).toBe(true);
    await stopping;
  });
});

describe("a poller that starts after one interval", () => {
  it("runs no pass at start-up, then runs when the interval passes or it is woken", async () => {
    const { poller, passes } = counting(true);
    await tick();
    expect(passes()).toBe(0);
    poller.wake();
    await tick();
    expect(passes()).toBe(1);
    await poller.stop();
  });
});

describe("Poller.runUntilIdle", () => {
  it("runs passes until one finds nothing and returns what they handled, without the loop started", async () => {
    const found = [3, 2, 0, 7];
    const poller = new Poller("test", 60_000, async () => found.shift()!, silent, { nextDue: async () => null });
    expect(await poller.runUntilIdle()).toBe(5);
    expect(found).toEqual([7]);
    expect(await poller.nextDue!()).toBeNull();
    expect(poller.housekeeping).toBe(false);
  });

  it("gives up on a worker that never runs dry instead of looping for ever", async () => {
    const poller = new Poller("busy", 60_000, async () => 1, silent);
    await expect(poller.runUntilIdle(10)).rejects.toThrow(/busy/);
  });
});
