import { connect, InvalidArgumentError, type NatsConnection } from "@nats-io/transport-node";
import { JetStreamApiError } from "@nats-io/jetstream";

/** What the process is told about its NATS connection: once per change, never once per failed call. */
export interface BusStatusObserver {
  disconnected(): void;
  /** `downMs`: how long the bus was unreachable. */
  reconnected(downMs: number): void;
  /** A pull consumer's iterator ended while the bus was still open; it is being started again. */
  consumerRestarting(durable: string, error: unknown): void;
}

const RECONNECT_MIN_MS = 250;
const RECONNECT_MAX_MS = 5_000;
const RECONNECT_JITTER_MS = 500;

/**
 * The wait before the next reconnect attempt grows with the outage (250 ms at first, 5 s once it has
 * lasted ~50 s), so a short blip is bridged fast and a long outage is not hammered. The jitter is
 * drawn once per outage: each process keeps its own pace, so a fleet does not reconnect in step.
 */
export function reconnectWait(downForMs: number, jitterMs: number): number {
  return Math.min(RECONNECT_MAX_MS, RECONNECT_MIN_MS + downForMs / 10) + jitterMs;
}

/**
 * The NATS connection and what is known of its health. The client's default gives up after 10
 * attempts (~20 s), after which every call fails with ClosedConnectionError forever (issue 18):
 * here it never gives up, and the status is tracked from the client's events, not probed per call.
 */
export class NatsLink {
  private up = true;
  private lostAt = 0;
  private jitter = 0;

  private constructor(readonly nc: NatsConnection) {}

  static async open(url: string, observer: BusStatusObserver): Promise<NatsLink> {
    let link: NatsLink | undefined;
    const nc = await connect({
      servers: url,
      name: "ghasi-commerce",
      // noAsyncTraces: the client otherwise builds an Error (a captured stack) for every publish and
      // request in case it times out; that was about 6% of the server's time per purchase.
      noAsyncTraces: true,
      maxReconnectAttempts: -1,
      // A bus that is not up yet at start-up (both started together, NATS restarting) is waited for
      // with the same backoff, instead of failing the start: the process starts serving once it connects.
      waitOnFirstConnect: true,
      // Called on every turn of the client's dial loop: it must return the same wait for the same outage.
      reconnectDelayHandler: () => (link ? link.nextWait() : RECONNECT_MIN_MS),
      // A half-open socket (a host that vanished without a FIN) is noticed within ~20 s, not 4 minutes.
      pingInterval: 10_000,
      maxPingOut: 2,
    });
    link = new NatsLink(nc);
    void link.watch(observer);
    return link;
  }

  get connected(): boolean {
    return this.up && !this.nc.isClosed();
  }

  /** The server's max_payload (headers included), as it told us in its INFO. */
  get maxPayload(): number {
    return this.nc.info?.max_payload ?? 1_048_576;
  }

  private nextWait(): number {
    return reconnectWait(this.lostAt ? Date.now() - this.lostAt : 0, this.jitter);
  }

  private async watch(observer: BusStatusObserver): Promise<void> {
    for await (const status of this.nc.status()) {
      if (status.type === "disconnect" && this.up) {
        this.up = false;
        this.lostAt = Date.now();
        this.jitter = Math.floor(Math.random() * RECONNECT_JITTER_MS);
        observer.disconnected();
      } else if (status.type === "reconnect" && !this.up) {
        this.up = true;
        const downMs = Date.now() - this.lostAt;
        this.lostAt = 0;
        observer.reconnected(downMs);
      }
    }
  }
}

/**
 * Why a publish can never succeed, or undefined for a failure that may pass (a timeout, no
 * connection): a message over max_payload (refused by the client before it is sent) or over the
 * stream's maximum message size (JetStream error 10054).
 */
export function permanentPublishFailure(error: unknown): string | undefined {
  if (error instanceof InvalidArgumentError && /max_payload/.test(error.message)) return `refused by the client: ${error.message}`;
  if (error instanceof JetStreamApiError && error.code === 10054) return `refused by JetStream: ${error.message}`;
  return undefined;
}
