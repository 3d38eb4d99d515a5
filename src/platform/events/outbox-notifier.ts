import { randomUUID } from "node:crypto";
import pg from "pg";

export const OUTBOX_CHANNEL = "ghasi_outbox";

/**
 * Wakes relays in OTHER processes. NOTIFY inside a business transaction would serialise every
 * commit behind one global lock (DESIGN §8), so it is sent after commit, from its own connection,
 * at most once per `windowMs` however many commits happened. Relays also poll, so a lost
 * notification only costs latency.
 */
export class OutboxNotifier {
  private pending = false;
  private listener: pg.Client | null = null;
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

  /** Calls `onWake` whenever any process announces new outbox rows. */
  async listen(url: string, onWake: () => void): Promise<void> {
    const client = new pg.Client({ connectionString: url });
    client.on("error", () => undefined);
    client.on("notification", (message) => {
      if (message.payload !== this.origin) onWake();
    });
    await client.connect();
    await client.query(`LISTEN ${OUTBOX_CHANNEL}`);
    this.listener = client;
  }

  async close(): Promise<void> {
    await this.listener?.end().catch(() => undefined);
    this.listener = null;
  }
}
