import { createApp } from "./app.js";
import { loadConfig } from "./platform/config.js";

const config = loadConfig();
// A start-up refusal (data directory in use, no auth configured, database unreachable) is one clear line, not a stack.
const app = await createApp(config).catch((error: unknown) => {
  console.error(`ghasi-commerce cannot start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
await app.start({ listen: true });

const base = `http://${config.host === "0.0.0.0" ? "localhost" : config.host}:${config.port}`;
app.kernel.logger.info(
  {
    api: `${base}/api/v1`,
    docs: `${base}/docs`,
    metrics: `${base}/metrics`,
    mode: config.databaseUrl ? "postgres" : `embedded (${config.dataDir})`,
    bus: config.natsUrl ? "nats" : "in-process",
  },
  `Ghasi Commerce is up: docs at ${base}/docs; mint a token with: npm run token -- --sub usr_1 --tid ten_1 --roles learner`,
);

let stopping = false;
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    app.kernel.logger.info({ signal }, "shutting down");
    app.stop().then(
      () => process.exit(0),
      (error) => {
        app.kernel.logger.error({ err: error }, "shutdown failed");
        process.exit(1);
      },
    );
  });
}
