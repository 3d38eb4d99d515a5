import { randomUUID } from "node:crypto";
import pg from "pg";

export const OUTBOX_CHANNEL = "ghasi_outbox";
const RECONNECT_MIN_MS = 100;
const RECONNECT_MAX_MS = 5_000;

/**
 * Wakes relays in OTHER processes. NOTIFY inside a business transaction would serialise every
 * commit behind one global lock (DESIGN §8), so it is sent after commit, from its own connection,
 * at most once per `windowMs` however many commits happened. Relays also poll, so a lost
 * notification only costs latency.
 */
export class OutboxNotifier {
  private pending = false;
  private listener: pg.Client | null = null;
  private retry: NodeJS.Timeout | null = null;
  private attempts = 0;
  private closed = false;
  /** Tags this process's notifications: its own relay is already woken in-process, not by the echo. */
  private readonly origin = randomUUID();

  constructor(
    private readonly pool: pg.Pool,
    private readonly windowMs = 10,
  ) {}

  nudge(): void {
    if (this.pending) return;
    this.pending = true;
    setTimeout(() => {
      this.pending = false;
      this.pool.query(`SELECT pg_notify($1, $2)`, [OUTBOX_CHANNEL, this.origin]).catch(() => undefined);
    }, this.windowMs).unref();
  }

  /**
   * Calls `onWake` whenever any process announces new outbox rows. A LISTEN session that is lost
   * (terminated, failover) is opened again with backoff; notifications sent meanwhile are lost, which
   * the relay's polling covers, and each reconnection wakes the relay once for them.
   */
  async listen(url: string, onWake: () => void): Promise<void> {
    this.closed = false;
    await this.connectListener(url, onWake); // the first attempt's failure fails start-up
  }

  private async connectListener(url: string, onWake: () => void): Promise<void> {
    const client = new pg.Client({ connectionString: url });
    const lost = () => this.lost(client, url, onWake);
    client.on("error", lost);
    client.on("end", lost);
    client.on("notification", (message) => {
      if (message.payload !== this.origin) onWake();
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${OUTBOX_CHANNEL}`);
    } catch (error) {
      await client.end().catch(() => undefined);
      throw error;
    }
    if (this.closed) {
      await client.end().catch(() => undefined);
      return;
    }
    this.listener = client;
    this.attempts = 0;
  }

  private lost(client: pg.Client, url: string, onWake: () => void): void {
    if (this.closed || client !== this.listener) return;
    this.listener = null;
    client.end().catch(() => undefined);
    this.reconnect(url, onWake);
  }

  private reconnect(url: string, onWake: () => void): void {
    const delay = Math.min(RECONNECT_MIN_MS * 2 ** this.attempts++, RECONNECT_MAX_MS);
    this.retry = setTimeout(() => {
      this.retry = null;
      this.connectListener(url, onWake).then(
        () => this.closed || onWake(),
        () => this.closed || this.reconnect(url, onWake),
      );
    }, delay);
    this.retry.unref();
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.retry) clearTimeout(this.retry);
    this.retry = null;
    await this.listener?.end().catch(() => undefined);
    this.listener = null;
  }
}
