import { connect, nanos, type NatsConnection } from "@nats-io/transport-node";
import { AckPolicy, DeliverPolicy, jetstream, jetstreamManager, type JetStreamClient, type JsMsg } from "@nats-io/jetstream";
import type { Db, Tx } from "../db/db.js";
import type { ConsumerHub, Delivery } from "./consumers.js";
import type { Envelope, RetentionClass } from "./envelope.js";
import type { EventRegistry } from "./registry.js";
import { bucketOf } from "./outbox.js";
import type { OutboxEvent, Publisher } from "./relay.js";

const DAY_MS = 86_400_000;
/** EVENTS.md: operational 30 days on the bus, financial and audit 365 days. The database keeps its own records. */
const RETENTION_MS: Record<RetentionClass, number> = { operational: 30 * DAY_MS, financial: 365 * DAY_MS, audit: 365 * DAY_MS };
const BATCH = 256;

/**
 * Server 2.9 removes an account's store directory when its last stream is deleted; a stream created
 * at that moment fails ("could not create storage directory") and succeeds when tried again.
 */
async function withRetries<T>(attempt: () => Promise<T>, tries = 5): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await attempt();
    } catch (error) {
      if (i >= tries) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100 * i));
    }
  }
}

export interface NatsBusOptions {
  url: string;
  /** Parallel transactions per consumer, split by partition key (order within a key is kept). */
  lanes: number;
  /** Namespaces subjects and streams, so several deployments (or test runs) share one NATS. */
  prefix: string;
}

/** Consumer-side faults that are not a handler's (the database was down): the batch is redelivered. */
export interface NatsObserver {
  batchFailed(error: unknown): void;
  malformed(subject: string, error: unknown): void;
}

/**
 * JetStream transport: one stream per retention class whose subjects are the registry's wire types,
 * and one durable pull consumer per (consumer, wire type). Messages carry `Nats-Msg-Id = eventId`, so a
 * relay that dies between publish and mark re-publishes into JetStream's duplicate window harmlessly.
 */
export class NatsBus implements Publisher {
  private readonly js: JetStreamClient;
  private readonly running: Promise<void>[] = [];
  private readonly stops: Array<() => void> = [];

  private constructor(
    private readonly nc: NatsConnection,
    private readonly registry: EventRegistry,
    private readonly options: NatsBusOptions,
  ) {
    this.js = jetstream(nc);
  }

  static async connect(options: NatsBusOptions, registry: EventRegistry): Promise<NatsBus> {
    // noAsyncTraces: the client otherwise builds an Error (a captured stack) for every publish and
    // request in case it times out; that was about 6% of the server's time per purchase.
    const nc = await connect({ servers: options.url, name: "ghasi-commerce", noAsyncTraces: true });
    return new NatsBus(nc, registry, options);
  }

  subject(type: string): string {
    return `${this.options.prefix}${type}`;
  }

  streamName(retention: RetentionClass): string {
    return `${this.options.prefix.replace(/[^A-Za-z0-9_-]/g, "_")}GHASI_${retention.toUpperCase()}`;
  }

  /** Idempotent: creates or updates the streams so their subjects follow the registry. */
  async ensureStreams(): Promise<void> {
    const jsm = await jetstreamManager(this.nc);
    for (const retention of Object.keys(RETENTION_MS) as RetentionClass[]) {
      const subjects = this.registry.all().filter((d) => d.retentionClass === retention).map((d) => this.subject(d.type));
      if (subjects.length === 0) continue;
      const config = { name: this.streamName(retention), subjects, max_age: nanos(RETENTION_MS[retention]), duplicate_window: nanos(120_000) };
      try {
        await jsm.streams.info(config.name);
        await jsm.streams.update(config.name, config);
      } catch {
        await withRetries(() => jsm.streams.add(config));
      }
    }
  }

  async publish(_tx: Tx, events: readonly OutboxEvent[]): Promise<void> {
    // Publishes are pipelined on one connection, which keeps their order; the relay marks rows only after every ack.
    await Promise.all(events.map((event) => this.js.publish(this.subject(event.type), event.json, { msgID: event.eventId })));
  }

  /**
   * Starts one durable pull consumer per (consumer, wire type), filtered by the server to that
   * subject: server 2.9 has one filter per consumer, and an unfiltered durable would pull (and
   * parse, and ack) every event of the stream. A key's events of ONE type keep their order; across
   * types a consumer relies on the causal order of the flow, on its inbox and on retries.
   */
  async startConsumers(hub: ConsumerHub, db: Db, observer: NatsObserver): Promise<void> {
    const jsm = await jetstreamManager(this.nc);
    for (const consumer of hub.consumers()) {
      for (const type of consumer.types) {
        const definition = this.registry.get(type);
        if (!definition) throw new Error(`consumer ${consumer.name} listens to unregistered type ${type}`);
        const stream = this.streamName(definition.retentionClass);
        const durable = `${consumer.name}__${type}`.replace(/[^A-Za-z0-9_-]/g, "_");
        await jsm.consumers.add(stream, {
          durable_name: durable,
          ack_policy: AckPolicy.Explicit,
          deliver_policy: DeliverPolicy.All,
          ack_wait: nanos(30_000),
          max_deliver: -1,
          filter_subject: this.subject(type),
        });
        const pull = await this.js.consumers.get(stream, durable);
        const messages = await pull.consume({ max_messages: BATCH * 2 });
        this.stops.push(() => void messages.stop());
        this.running.push(this.drive(messages, consumer.name, hub, db, observer));
      }
    }
  }

  private async drive(messages: AsyncIterable<JsMsg>, consumerName: string, hub: ConsumerHub, db: Db, observer: NatsObserver): Promise<void> {
    const consumer = hub.consumer(consumerName)!;
    let buffer: JsMsg[] = [];
    let running: Promise<void> | null = null;
    const handleBatch = async (batch: JsMsg[]) => {
      // Lanes by partition key: a key's events stay in one lane, in order; lanes commit in parallel
      // (one transaction each), so one slow order does not hold up every other order.
      const lanes = new Map<number, { messages: JsMsg[]; deliveries: Delivery[]; broken: Array<Delivery & { reason: string }> }>();
      const laneOf = (key: string) => {
        const lane = bucketOf(key) % this.options.lanes;
        let entry = lanes.get(lane);
        if (!entry) lanes.set(lane, (entry = { messages: [], deliveries: [], broken: [] }));
        return entry;
      };
      for (const message of batch) {
        try {
          const event = message.json<Envelope>();
          if (!consumer.types.includes(event.type)) {
            message.ack();
            continue;
          }
          const lane = laneOf(String(event.partitionKey ?? event.eventId));
          lane.messages.push(message);
          // Upstream producers publish straight to these subjects: a payload that breaks its contract
          // would fail on every attempt, so it goes to the dead-letter store at once, with the reason.
          const errors = this.registry.validate(event.type, event.payload) ?? [];
          if (errors.length > 0 || typeof event.eventId !== "string") {
            lane.broken.push({ consumer, event, reason: errors.map((e) => `payload${e.path} ${e.message}`).join("; ") || "envelope without eventId" });
          } else lane.deliveries.push({ consumer, event });
        } catch (error) {
          observer.malformed(message.subject, error);
          message.ack();
        }
      }
      await Promise.all(
        [...lanes.values()].map(async (lane) => {
          try {
            await db.tx(async (tx) => {
              await hub.deliver(tx, lane.deliveries);
              await hub.reject(tx, lane.broken, (d) => new Error(`contract broken: ${(d as (typeof lane.broken)[number]).reason}`));
            });
            lane.messages.forEach((message) => message.ack());
          } catch (error) {
            observer.batchFailed(error);
            lane.messages.forEach((message) => message.nak(1_000));
          }
        }),
      );
    };
    // One batch at a time per consumer keeps a partition's order. The flag is cleared in the same
    // step that last looked at the buffer, so a message that arrives later always starts a new pump.
    const pump = () => {
      if (running) return;
      running = (async () => {
        try {
          while (buffer.length > 0) {
            const batch = buffer.slice(0, BATCH);
            buffer = buffer.slice(BATCH);
            await handleBatch(batch);
          }
        } finally {
          running = null;
        }
      })();
    };
    for await (const message of messages) {
      buffer.push(message);
      pump();
    }
    await running;
  }

  async ready(): Promise<boolean> {
    try {
      await this.nc.flush();
      return !this.nc.isClosed();
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    this.stops.forEach((stop) => stop());
    await Promise.allSettled(this.running);
    await this.nc.drain().catch(() => undefined);
  }
}
