import { mkdirSync, readFileSync, writeFileSync, existsSync } from "node:fs";
import { randomBytes } from "node:crypto";
import path from "node:path";
import type { Logger } from "pino";
import { isAdjustable, OffsetClock, systemClock, type Clock } from "./platform/clock.js";
import type { Config } from "./platform/config.js";
import { Authenticator } from "./platform/http/auth.js";
import { ProblemMapper } from "./platform/http/problem.js";
import { asyncApiDocument } from "./platform/events/asyncapi.js";
import { asyncApiRoutes } from "./platform/http/routes/asyncapi.routes.js";
import { healthRoutes } from "./platform/http/routes/health.routes.js";
import { ingestRoutes } from "./platform/http/routes/ingest.routes.js";
import { opsRoutes } from "./platform/http/routes/ops.routes.js";
import { testClockRoutes } from "./platform/http/routes/test-clock.routes.js";
import { TestClock } from "./platform/test-clock.js";
import { buildHttpServer, type HttpServer } from "./platform/http/server.js";
import { createKernel, type Kernel } from "./platform/kernel.js";
import { platformErrors } from "./platform/errors.js";
import type { ContextModule } from "./platform/module.js";
import { contextModules, inStartOrder, type Contexts } from "./modules.js";
import type { WiringOverrides } from "./wiring.js";
import { upstreamEvents } from "./contracts/upstream.js";

export interface App {
  kernel: Kernel;
  /** This app's bounded contexts and their APIs (its own: another app in the process has others). */
  contexts: Contexts;
  server: HttpServer;
  authSecret: string | undefined;
  /** Starts the workers (relay, retries, bus consumers, timers); `listen` also serves HTTP. */
  start(options?: { listen?: boolean }): Promise<void>;
  stop(): Promise<void>;
}

export interface AppOptions {
  clock?: Clock;
  logger?: Logger;
  /** null: PGlite in memory (tests); default: config.dataDir. */
  dataDir?: string | null;
  /** Extra modules (tests plug probe consumers in here). */
  modules?: ContextModule[];
  /** Replaces port adapters (tests make a neighbouring context fail on purpose). */
  wiring?: WiringOverrides;
}

/** API.md: in embedded mode with no key configured, a secret is generated into the data directory. */
export function embeddedSecret(dataDir: string): string {
  const file = path.join(dataDir, "jwt-secret");
  if (existsSync(file)) return readFileSync(file, "utf8").trim();
  mkdirSync(dataDir, { recursive: true });
  const secret = randomBytes(32).toString("hex");
  writeFileSync(file, secret, { mode: 0o600 });
  return secret;
}

export async function createApp(config: Config, options: AppOptions = {}): Promise<App> {
  // With the test clock on, a service keeps flowing with real time between advances (an offset).
  const clock = options.clock ?? (config.testClock ? new OffsetClock() : systemClock);
  if (config.testClock && !isAdjustable(clock)) throw new Error("TEST_CLOCK=on needs an adjustable clock (advance, set)");
  const contexts = contextModules(clock, process.env, options.wiring);
  const modules = [...inStartOrder(contexts), ...(options.modules ?? [])];
  let auth = config.auth;
  if (!auth.secret && !auth.jwksUrl) {
    if (config.databaseUrl) throw new Error("set AUTH_JWT_SECRET or AUTH_JWKS_URL (only embedded mode generates a secret)");
    auth = { ...auth, secret: embeddedSecret(config.dataDir) };
  }
  const kernel = await createKernel(config, {
    clock,
    logger: options.logger,
    dataDir: options.dataDir,
    events: [...upstreamEvents, ...modules.flatMap((module) => module.events)],
  });
  try {
    const authenticator = new Authenticator(auth);
    const problems = new ProblemMapper(Object.assign({}, platformErrors, ...modules.map((module) => module.errors)));
    const server = await buildHttpServer({ logger: kernel.logger, authenticator, problems, metrics: kernel.metrics, config: config.http });
    healthRoutes(server, kernel, { metricsToken: config.http.metricsToken });
    const published = new Set(modules.flatMap((module) => module.events).map((definition) => definition.type));
    asyncApiRoutes(server, asyncApiDocument(kernel.registry.all(), { published }));
    opsRoutes(server, kernel, authenticator);
    ingestRoutes(server, kernel, authenticator);
    // Not registered at all without TEST_CLOCK=on: the routes answer 404 like any unknown path.
    if (config.testClock && isAdjustable(clock)) testClockRoutes(server, new TestClock(clock, kernel), authenticator);
    for (const module of modules) await module.install({ kernel, server, authenticator });
    await server.ready();
    return {
      kernel,
      contexts,
      server,
      authSecret: auth.secret,
      async start({ listen = false } = {}) {
        await kernel.start();
        if (listen) await server.listen({ port: config.port, host: config.host });
      },
      async stop() {
        await server.close();
        await kernel.stop();
      },
    };
  } catch (error) {
    await kernel.stop();
    throw error;
  }
}
