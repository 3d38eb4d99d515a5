import pino, { type Logger } from "pino";
import type { Clock } from "./clock.js";
import type { Config } from "./config.js";
import type { Db } from "./db/db.js";
import { openDatabase } from "./db/open.js";
import { ConsumerHub, InProcessPublisher, type Consumer } from "./events/consumers.js";
import { DeadLetters, RELAY_DEAD_LETTERS } from "./events/dead-letters.js";
import { NatsBus } from "./events/nats-bus.js";
import { Outbox } from "./events/outbox.js";
import { OutboxNotifier } from "./events/outbox-notifier.js";
import { PgliteDb } from "./db/pglite.js";
import { PostgresDb } from "./db/postgres.js";
import { EventRegistry, type EventDefinition } from "./events/registry.js";
import { Relay } from "./events/relay.js";
import { RetryScheduler, queueOf } from "./events/retries.js";
import { Metrics } from "./metrics.js";
import { embeddedAutovacuum } from "./db/embedded-autovacuum.js";
import { Poller } from "./poller.js";
import { settle } from "./settle.js";

/** The platform services every context is wired with; no business rules live here. */
export interface Kernel {
  config: Config;
  clock: Clock;
  logger: Logger;
  metrics: Metrics;
  db: Db;
  registry: EventRegistry;
  outbox: Outbox;
  hub: ConsumerHub;
  relay: Relay;
  retries: RetryScheduler;
  deadLetters: DeadLetters;
  bus: NatsBus | null;
  /** The largest envelope (UTF-8 bytes) ingest accepts and the relay publishes: config, and on NATS the server's max_payload. */
  maxEventBytes(): number;
  /** Workers other than the relay (retry poller, saga timers…), started and stopped together. */
  pollers: Poller[];
  /**
   * Runs the clock-driven workers, publishes the outbox and waits until the consumers are done and
   * nothing is due, in embedded mode and on NATS alike; returns how many items the workers handled.
   * Throws NotSettledError after `timeoutMs`.
   */
  settle(timeoutMs?: number): Promise<number>;
  start(): Promise<void>;
  stop(): Promise<void>;
}

export interface KernelOptions {
  clock: Clock;
  logger?: Logger;
  events: EventDefinition<string, any>[];
  /** null: PGlite in memory (tests). */
  dataDir?: string | null;
}

export async function createKernel(config: Config, options: KernelOptions): Promise<Kernel> {
  const logger = options.logger ?? pino({ level: config.logLevel, base: { service: "ghasi-commerce" } });
  const metrics = new Metrics(true);
  const registry = new EventRegistry().register(...options.events);
  const opened = await openDatabase({
    databaseUrl: config.databaseUrl,
    dataDir: options.dataDir === undefined ? config.dataDir : options.dataDir,
    poolSize: config.databasePoolSize,
  });
  const db = opened.db;
  const hub = new ConsumerHub({
    handled: (consumer, event) => metrics.eventsHandled.inc({ consumer, type: event.type }),
    failed: (consumer, event, error) => {
      metrics.eventsFailed.inc({ consumer, type: event.type });
      logger.warn(
        { consumer, eventId: event.eventId, type: event.type, correlationId: event.correlationId, err: error },
        "consumer failed; scheduled for retry",
      );
    },
  });
  const retries = new RetryScheduler(db, hub, options.clock, {
    deadLettered: (consumer) => {
      metrics.deadLettered.inc({ queue: queueOf(consumer), consumer });
      logger.error({ consumer, queue: queueOf(consumer) }, "event dead-lettered");
    },
  });
  hub.useFailureRecorder(retries);
  const outbox = new Outbox(registry);
  const deadLetters = new DeadLetters(db, hub, options.clock);
  let bus: NatsBus | null = null;
  let relay: Relay | undefined;
  metrics.busConnected.set(1);
  if (config.natsUrl) {
    // Status changes are logged once each; the client reconnects for as long as it takes.
    bus = await NatsBus.connect({ url: config.natsUrl, prefix: config.natsPrefix, lanes: config.consumerLanes }, registry, {
      disconnected: () => {
        metrics.busConnected.set(0);
        logger.error("NATS connection lost; reconnecting (the outbox keeps events until it is back)");
      },
      reconnected: (downMs) => {
        metrics.busConnected.set(1);
        metrics.busReconnects.inc();
        logger.warn({ downMs }, "NATS connection back");
        relay?.resume();
      },
      consumerRestarting: (durable, error) => logger.warn({ durable, err: error }, "bus consumer ended; starting it again"),
    });
    await bus.ensureStreams();
  }
  const maxEventBytes = () => Math.min(config.eventMaxBytes, bus?.maxEventBytes() ?? Infinity);
  relay = new Relay(
    db,
    bus ?? new InProcessPublisher(hub),
    { ...config.relay, maxEventBytes: config.eventMaxBytes },
    {
      published: (events) => {
        const now = Date.now();
        for (const event of events) {
          metrics.eventsPublished.inc({ type: event.type });
          metrics.relayLag.observe((now - event.occurredAt.getTime()) / 1000);
        }
      },
      failed: (error, streak) => {
        metrics.relayErrors.inc();
        // Once per streak: the relay backs off and retries, and the metric counts every pass.
        if (streak === 1) logger.error({ err: error }, "relay pass failed; backing off and retrying");
      },
      recovered: (failures) => logger.warn({ failedPasses: failures }, "relay publishing again"),
      poisoned: (rows) => {
        for (const { event, kind, reason } of rows) {
          metrics.outboxPoison.inc({ reason: kind });
          metrics.deadLettered.inc({ queue: queueOf(RELAY_DEAD_LETTERS), consumer: RELAY_DEAD_LETTERS });
          logger.error(
            { eventId: event.eventId, type: event.type, position: String(event.position), reason },
            "outbox row can never be published; moved to the dead letters",
          );
        }
      },
    },
    (tx, rows) => deadLetters.buryUnpublishable(tx, rows),
  );
  outbox.onAppended(() => relay.wake());
  // Several processes on one PostgreSQL: a batched NOTIFY wakes the others' relays (polling stays the fallback).
  const notifier = db instanceof PostgresDb ? new OutboxNotifier(db.pool) : null;
  if (notifier) outbox.onAppended(() => notifier.nudge());
  const pollers: Poller[] = [
    new Poller("retries", config.retryPollMs, () => retries.runDue(), logger, { nextDue: () => retries.nextDue() }),
  ];
  // PostgreSQL's autovacuum keeps its tables analysed and vacuumed; PGlite has no such daemon.
  if (db instanceof PgliteDb && config.autovacuumPollMs > 0) {
    pollers.push(
      new Poller(
        "embedded-autovacuum",
        config.autovacuumPollMs,
        async () => {
          const started = performance.now();
          const pass = await embeddedAutovacuum(db);
          if (pass.vacuumed.length + pass.analysed.length > 0)
            logger.debug({ ...pass, ms: Math.round(performance.now() - started) }, "embedded autovacuum pass");
          return 0; // the counters are reset: nothing more to do until the next interval
        },
        logger,
        true,
      ),
    );
  }
  let started = false;
  return {
    config,
    clock: options.clock,
    logger,
    metrics,
    db,
    registry,
    outbox,
    hub,
    relay,
    retries,
    deadLetters,
    bus,
    maxEventBytes,
    pollers,
    settle: (timeoutMs) => settle({ db, clock: options.clock, relay, bus, pollers }, timeoutMs),
    async start() {
      if (started) return;
      started = true;
      if (bus) {
        await bus.startConsumers(hub, db, {
          batchFailed: (error) => {
            metrics.busFaults.inc({ kind: "batch" });
            logger.error({ err: error }, "consumer batch failed; redelivering");
          },
          malformed: (subject, error) => {
            metrics.busFaults.inc({ kind: "malformed" });
            logger.error({ subject, err: error }, "malformed message skipped");
          },
        });
      }
      if (notifier && config.databaseUrl) await notifier.listen(config.databaseUrl, () => relay.wake());
      relay.start();
      pollers.forEach((poller) => poller.start());
    },
    async stop() {
      await Promise.all(pollers.map((poller) => poller.stop()));
      await relay.stop();
      await notifier?.close();
      await bus?.close();
      await opened.release();
    },
  };
}

export type { Consumer };
