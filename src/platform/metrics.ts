import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";

/** One registry per app instance (tests run several apps in one process). */
export class Metrics {
  readonly registry = new Registry();
  readonly httpDuration = new Histogram({
    name: "http_request_duration_seconds",
    help: "HTTP request duration",
    labelNames: ["method", "route", "status"],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });
  readonly eventsPublished = new Counter({
    name: "outbox_events_published_total",
    help: "Events published by the relay",
    labelNames: ["type"],
    registers: [this.registry],
  });
  readonly relayLag = new Histogram({
    name: "outbox_commit_to_publish_seconds",
    help: "Time from an event's occurrence to its publication",
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5, 30],
    registers: [this.registry],
  });
  readonly relayErrors = new Counter({ name: "outbox_relay_errors_total", help: "Relay passes that failed", registers: [this.registry] });
  readonly eventsHandled = new Counter({
    name: "consumer_events_handled_total",
    help: "Events applied by a consumer",
    labelNames: ["consumer", "type"],
    registers: [this.registry],
  });
  readonly eventsFailed = new Counter({
    name: "consumer_events_failed_total",
    help: "Handler failures (each is retried or dead-lettered)",
    labelNames: ["consumer", "type"],
    registers: [this.registry],
  });
  readonly deadLettered = new Counter({
    name: "consumer_dead_letters_total",
    help: "Events moved to the dead-letter store",
    labelNames: ["queue", "consumer"],
    registers: [this.registry],
  });
  readonly busFaults = new Counter({
    name: "bus_faults_total",
    help: "Bus batches that failed outside a handler, or malformed messages",
    labelNames: ["kind"],
    registers: [this.registry],
  });
  // Alert on these two: a bus that stays down, and events that can never be published.
  readonly busConnected = new Gauge({
    name: "ghasi_bus_connected",
    help: "1 while the NATS connection is up (always 1 in embedded mode)",
    registers: [this.registry],
  });
  readonly busReconnects = new Counter({
    name: "ghasi_bus_reconnects_total",
    help: "Times the NATS connection came back after a loss",
    registers: [this.registry],
  });
  readonly outboxPoison = new Counter({
    name: "ghasi_outbox_poison_total",
    help: "Outbox rows that can never be published (too large, or refused by the server), moved to the dead letters",
    labelNames: ["reason"],
    registers: [this.registry],
  });

  /** Lets contexts add their own metrics to the same registry. */
  gauge(name: string, help: string, labelNames: string[] = []): Gauge {
    return new Gauge({ name, help, labelNames, registers: [this.registry] });
  }
  counter(name: string, help: string, labelNames: string[] = []): Counter {
    return new Counter({ name, help, labelNames, registers: [this.registry] });
  }

  constructor(withProcessMetrics = false) {
    if (withProcessMetrics) collectDefaultMetrics({ register: this.registry });
  }
}
