import { headers, nanos, type MsgHdrs, type NatsConnection } from "@nats-io/transport-node";
import {
  AckPolicy,
  DeliverPolicy,
  jetstream,
  jetstreamManager,
  type ConsumerConfig,
  type JetStreamClient,
  type JsMsg,
} from "@nats-io/jetstream";
import type { Db, Tx } from "../db/db.js";
import type { ConsumerHub, Delivery } from "./consumers.js";
import type { Envelope, RetentionClass } from "./envelope.js";
import { isTraceparent } from "../trace-context.js";
import { NatsLink, permanentPublishFailure, type BusStatusObserver } from "./nats-connection.js";
import type { EventRegistry } from "./registry.js";
import { bucketOf } from "./outbox.js";
import type { OutboxEvent, PublishOutcome, Publisher } from "./relay.js";

const DAY_MS = 86_400_000;
/** EVENTS.md: operational 30 days on the bus, financial and audit 365 days. The database keeps its own records. */
const RETENTION_MS: Record<RetentionClass, number> = { operational: 30 * DAY_MS, financial: 365 * DAY_MS, audit: 365 * DAY_MS };
const BATCH = 256;
/**
 * Room for the headers within the server's max_payload, which counts them too: `NATS/1.0` and four
 * lines, Nats-Msg-Id (our ids are ~30 bytes; ingest takes 200 characters, 800 UTF-8 bytes at worst),
 * Ghasi-Type (a registered wire type, 41 characters today), Content-Type and traceparent (55, only a
 * valid one): about 250 bytes for our own events, under 1 KiB for the worst an upstream may send.
 */
export const HEADER_ROOM_BYTES = 1024;
/** A consumer whose iterator ended is started again after this long, then longer, up to 5 s. */
const RESTART_WAIT_MS = [100, 500, 1_000, 2_000, 5_000];

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

/** A message's subject: `acme` → `acme.billing.payment.succeeded.v1`; no prefix → the wire type. */
export function natsSubject(prefix: string, type: string): string {
  return prefix ? `${prefix}.${type}` : type;
}

/** A retention class's stream: `acme` → `ACME_GHASI_OPERATIONAL`; no prefix → `GHASI_OPERATIONAL`. */
export function natsStreamName(prefix: string, retention: RetentionClass): string {
  return `${prefix ? `${prefix.toUpperCase()}_` : ""}GHASI_${retention.toUpperCase()}`;
}

/**
 * What a subscriber can route and trace by without parsing the body: the wire type, the content type
 * and the envelope's traceparent (only a valid one: ingest takes metadata from outside, and a header
 * must stay within HEADER_ROOM_BYTES). The client adds Nats-Msg-Id from the publish's msgID.
 */
function headersOf(event: OutboxEvent): MsgHdrs {
  const h = headers();
  h.set("Ghasi-Type", event.type);
  h.set("Content-Type", "application/json");
  if (isTraceparent(event.traceparent)) h.set("traceparent", event.traceparent);
  return h;
}

export interface NatsBusOptions {
  url: string;
  /** Parallel transactions per consumer, split by partition key (order within a key is kept). */
  lanes: number;
  /** One subject token namespacing subjects and streams ("" for none; see config.ts natsPrefix). */
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
  private readonly nc: NatsConnection;
  private readonly running: Promise<void>[] = [];
  private readonly stops = new Set<() => void>();
  /** The durable consumers this process started: `pending` asks the server about each. */
  private readonly durables: Array<{ stream: string; durable: string }> = [];
  private closing = false;
  /** Wakes the consumers' restart waits when the bus closes. */
  private closed!: () => void;
  private readonly whenClosed = new Promise<void>((resolve) => (this.closed = resolve));

  private constructor(
    private readonly link: NatsLink,
    private readonly registry: EventRegistry,
    private readonly options: NatsBusOptions,
    private readonly status: BusStatusObserver,
  ) {
    this.nc = link.nc;
    this.js = jetstream(this.nc);
  }

  static async connect(options: NatsBusOptions, registry: EventRegistry, status: BusStatusObserver): Promise<NatsBus> {
    return new NatsBus(await NatsLink.open(options.url, status), registry, options, status);
  }

  /** False while the connection is lost (the client keeps reconnecting): the relay waits meanwhile. */
  available(): boolean {
    return this.link.connected;
  }

  /** The largest envelope this server takes: its max_payload less room for the headers. */
  maxEventBytes(): number {
    return this.link.maxPayload - HEADER_ROOM_BYTES;
  }

  /** `<prefix>.<wire type>`: the prefix is a token of its own, so `<prefix>.>` takes exactly this deployment's events. */
  subject(type: string): string {
    return natsSubject(this.options.prefix, type);
  }

  streamName(retention: RetentionClass): string {
    return natsStreamName(this.options.prefix, retention);
  }

  /** Idempotent: creates or updates the streams so their subjects follow the registry. */
  async ensureStreams(): Promise<void> {
    const jsm = await jetstreamManager(this.nc);
    for (const retention of Object.keys(RETENTION_MS) as RetentionClass[]) {
      const subjects = this.registry
        .all()
        .filter((d) => d.retentionClass === retention)
        .map((d) => this.subject(d.type));
      if (subjects.length === 0) continue;
      const config = {
        name: this.streamName(retention),
        subjects,
        max_age: nanos(RETENTION_MS[retention]),
        duplicate_window: nanos(120_000),
      };
      try {
        await jsm.streams.info(config.name);
        await jsm.streams.update(config.name, config);
      } catch {
        await withRetries(() => jsm.streams.add(config));
      }
    }
  }

  async publish(_tx: Tx, events: readonly OutboxEvent[]): Promise<PublishOutcome> {
    // Publishes are pipelined on one connection, which keeps their order. Each one is settled on its
    // own: one refused message must not fail its neighbours. The relay keeps a row off its queue only
    // once the bus has acked it; the buckets of a transient failure go back whole.
    const results = await Promise.allSettled(
      events.map((event) => this.js.publish(this.subject(event.type), event.json, { msgID: event.eventId, headers: headersOf(event) })),
    );
    const outcome: PublishOutcome = { refused: [], failed: [] };
    let transient: unknown;
    results.forEach((result, i) => {
      if (result.status === "fulfilled") return;
      const reason = permanentPublishFailure(result.reason);
      if (reason) outcome.refused.push({ event: events[i]!, reason });
      else {
        outcome.failed.push({ event: events[i]!, error: result.reason });
        transient ??= result.reason;
      }
    });
    // Nothing went out (the bus is down): the pass rolls back whole, with no statement to undo it row by row.
    if (outcome.failed.length === events.length && events.length > 0) throw transient;
    return outcome;
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
        const config: Partial<ConsumerConfig> = {
          durable_name: durable,
          ack_policy: AckPolicy.Explicit,
          deliver_policy: DeliverPolicy.All,
          ack_wait: nanos(30_000),
          max_deliver: -1,
          filter_subject: this.subject(type),
        };
        await jsm.consumers.add(stream, config);
        this.durables.push({ stream, durable });
        const first = await this.js.consumers.get(stream, durable).then((pull) => pull.consume({ max_messages: BATCH * 2 }));
        this.running.push(this.keepConsuming(first, stream, config, consumer.name, hub, db, observer));
      }
    }
  }

  /**
   * The client's consume() survives reconnects by itself (it re-pulls once the server answers), but
   * its iterator ends for good when the consumer or its stream is gone, e.g. a server restarted
   * without its store: then the durable is added again and consumed anew, for as long as the bus is open.
   */
  private async keepConsuming(
    first: AsyncIterable<JsMsg> & { stop(): void },
    stream: string,
    config: Partial<ConsumerConfig>,
    consumerName: string,
    hub: ConsumerHub,
    db: Db,
    observer: NatsObserver,
  ): Promise<void> {
    let messages: (AsyncIterable<JsMsg> & { stop(): void }) | undefined = first;
    for (let attempt = 0; !this.closing;) {
      let ended: unknown = "the iterator ended";
      if (messages) {
        const stop = () => void messages!.stop();
        this.stops.add(stop);
        try {
          await this.drive(messages, consumerName, hub, db, observer);
          attempt = 0;
        } catch (error) {
          ended = error;
        } finally {
          this.stops.delete(stop);
        }
        messages = undefined;
      }
      if (this.closing) return;
      this.status.consumerRestarting(config.durable_name!, ended);
      await Promise.race([
        new Promise((resolve) => setTimeout(resolve, RESTART_WAIT_MS[Math.min(attempt++, RESTART_WAIT_MS.length - 1)])),
        this.whenClosed,
      ]);
      if (this.closing) return;
      try {
        await (await jetstreamManager(this.nc)).consumers.add(stream, config);
        messages = await (await this.js.consumers.get(stream, config.durable_name!)).consume({ max_messages: BATCH * 2 });
      } catch (error) {
        ended = error;
      }
    }
  }

  private async drive(
    messages: AsyncIterable<JsMsg>,
    consumerName: string,
    hub: ConsumerHub,
    db: Db,
    observer: NatsObserver,
  ): Promise<void> {
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
            lane.broken.push({
              consumer,
              event,
              reason: errors.map((e) => `payload${e.path} ${e.message}`).join("; ") || "envelope without eventId",
            });
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

  /**
   * Messages the server still holds for this process's consumers: not yet delivered, or delivered and
   * not yet acknowledged (a handler is running, or its ack is on the way). 0 means the bus is quiet.
   */
  async pending(): Promise<number> {
    const jsm = await jetstreamManager(this.nc);
    const infos = await Promise.all(this.durables.map(({ stream, durable }) => jsm.consumers.info(stream, durable)));
    return infos.reduce((sum, info) => sum + info.num_pending + info.num_ack_pending, 0);
  }

  /** A round trip to the server, bounded: while the client reconnects a flush would wait for the reconnect. */
  async ready(timeoutMs = 2_000): Promise<boolean> {
    if (!this.link.connected) return false;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs)));
    try {
      return await Promise.race([this.nc.flush().then(() => this.link.connected), timedOut]);
    } catch {
      return false;
    } finally {
      clearTimeout(timer);
    }
  }

  async close(): Promise<void> {
    this.closing = true;
    this.closed();
    this.stops.forEach((stop) => stop());
    await Promise.allSettled(this.running);
    // Draining needs the server; one that is down would hold the shutdown until it came back.
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.nc.drain(), new Promise((resolve) => (timer = setTimeout(resolve, 2_000)))]).catch(() => undefined);
    clearTimeout(timer);
    if (!this.nc.isClosed()) await this.nc.close().catch(() => undefined);
  }
}
