/**
 * A service process for renewal-crash.int.test.ts, to be killed with SIGKILL: it opens the app on
 * the test's database (DATABASE_URL, NATS_URL, NATS_PREFIX from its environment) with its clock at
 * CRASH_CLOCK, fires the subscription deadlines once, and when billing has answered a renewal charge
 * it reports the answer on stdout and holds the renewal's transaction open until it is killed.
 * Not a test file (vitest collects *.test.ts only).
 */
import pino from "pino";
import { createApp } from "../../src/app.js";
import { ManualClock } from "../../src/platform/clock.js";
import { loadConfig } from "../../src/platform/config.js";

const config = loadConfig(process.env);
const app = await createApp(config, {
  clock: new ManualClock(process.env.CRASH_CLOCK!),
  logger: pino({ level: "warn" }),
  wiring: {
    marketplace: (ports) => ({
      ...ports,
      payments: {
        ...ports.payments,
        chargeOnFile: async (tx, request) => {
          const answer = await ports.payments.chargeOnFile(tx, request);
          process.stdout.write(JSON.stringify({ chargeRef: request.chargeRef, status: answer.status, paymentId: answer.paymentId }) + "\n");
          // The transaction stays open (its rows locked, nothing committed) until SIGKILL.
          setInterval(() => undefined, 60_000);
          return new Promise<never>(() => undefined);
        },
      },
    }),
  },
});
await app.kernel.pollers.find((poller) => poller.name === "marketplace.subscription-deadlines")!.runUntilIdle();
// Reached only if no renewal was due: say so, and end.
process.stdout.write(JSON.stringify({ nothingDue: true }) + "\n");
await app.stop();
