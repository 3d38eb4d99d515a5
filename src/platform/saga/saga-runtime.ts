import type { Clock } from "../clock.js";
import type { Db, DeferredWrites, Sql, Tx, Write } from "../db/db.js";
import { sqlText } from "../db/sql-text.js";
import { withChildSpan, type EventMetadata } from "../events/envelope.js";
import { earliestIn } from "../poller.js";
import type { DeadlineCommand, EffectOf, Reaction, SagaDefinition, SagaState, SagaStep } from "./saga.js";

/**
 * Executes one command inside the transaction that recorded the step. It may return inputs that
 * go straight back into the saga (the licence ids it granted, an enrollment that was refused).
 * `cause` is the id of the event whose input led to the command (the envelope's causationId for
 * what the command publishes); null when a request or a deadline did. `metadata`: what the events
 * the command publishes carry (the request's or the causing event's requestId, actorId and trace,
 * on a span of this step's own). Deadline commands never reach it: the runtime keeps them.
 */
export type CommandExecutor<S, I, C extends { type: string }> = (
  tx: Tx,
  sagaId: string,
  command: EffectOf<C>,
  state: S,
  cause: string | null,
  metadata: EventMetadata,
) => Promise<I[] | void>;

/**
 * What caused an input: the event it came from (its id becomes the causationId of what the step
 * publishes, its metadata is carried on), a request (`eventId: null`, the request's metadata), an
 * event id alone, or nothing: a deadline, whose metadata comes from `RuntimeOptions.deadlineMetadata`.
 */
export type StepCause = string | { eventId: string | null; metadata: EventMetadata } | null;

export interface RuntimeOptions {
  /**
   * The metadata of a step a deadline fires, given the request that started the saga (its `origin`).
   * Default: the origin itself, so a purchase's timeout stays in the buyer's trace; a flow the
   * system runs on its own (a renewal) starts a new trace instead.
   */
  deadlineMetadata?: (origin: EventMetadata) => EventMetadata;
}

const isDeadline = (command: { type: string }): command is DeadlineCommand =>
  command.type === "ScheduleDeadline" || command.type === "CancelDeadline";

/** Safety net: a saga that keeps feeding itself inputs is a bug, not a workload. */
const MAX_CHAIN = 32;

/** A saga touched in the current transaction: its state and the rows it will write at commit. */
interface Touched<S> {
  state: S;
  /** Steps recorded so far, this transaction's included. */
  steps: number;
  /** Set until the instance row is written (by a flush or at commit). */
  created: { correlationId: string; at: Date } | null;
  /** The metadata of the request that started the saga (platform.saga_instances.origin). */
  origin: EventMetadata;
  rows: Array<{ seq: number; at: Date; input: string; from: string; to: string; commands: string[]; note: string | null }>;
  /** Net deadline changes: a due time to (re)schedule, or null to cancel. */
  deadlines: Map<string, Date | null>;
  /** Reached a terminal status: every deadline goes. */
  finished: boolean;
  at: Date;
}

const copyOf = <S>(t: Touched<S>): Touched<S> => ({ ...t, rows: [...t.rows], deadlines: new Map(t.deadlines) });

const touchedAt = <S>(state: S, steps: number, at: Date, origin: EventMetadata, created: Touched<S>["created"] = null): Touched<S> => ({
  state,
  steps,
  created,
  origin,
  rows: [],
  deadlines: new Map(),
  finished: false,
  at,
});

/**
 * The sagas one transaction touched, written together just before COMMIT: instances, step history
 * and deadlines of a whole consumer batch in one statement. Inside the transaction the runtime
 * reads its own buffer, never the table, so a second input for the same saga sees the first.
 */
class TouchedSagas<S extends SagaState> implements DeferredWrites {
  readonly order = 0;
  sagas = new Map<string, Touched<S>>();
  constructor(private readonly persist: (sagas: Array<[string, Touched<S>]>) => Write[]) {}
  drain(): Write[] {
    const sagas = [...this.sagas];
    const writes = sagas.length > 0 ? this.persist(sagas) : [];
    // Written, not forgotten: a saga in the middle of an input keeps its object (a flush can come
    // from a command it runs), and what it records next is written by the next flush, as an update.
    for (const [, touched] of sagas) {
      touched.created = null;
      touched.rows = [];
      touched.deadlines = new Map();
    }
    return writes;
  }
  /** The same objects with copies of their contents: a step in progress holds a reference to its saga's object. */
  mark(): Array<[string, Touched<S>, Touched<S>]> {
    return [...this.sagas].map(([id, touched]) => [id, touched, copyOf(touched)]);
  }
  rollback(mark: unknown): void {
    const marked = (mark as Array<[string, Touched<S>, Touched<S>]> | undefined) ?? [];
    this.sagas = new Map(marked.map(([id, touched, copy]) => [id, Object.assign(touched, copyOf(copy))]));
  }
}

export class SagaRuntime<S extends SagaState, I extends { type: string }, C extends { type: string }> {
  constructor(
    private readonly definition: SagaDefinition<S, I, C>,
    private readonly clock: Clock,
    private readonly execute: CommandExecutor<S, I, C>,
    /** Turns a fired deadline into the saga's own input. */
    private readonly deadlineInput: (name: string) => I,
    /** Lets the owning context mirror the sagas' statuses onto its aggregates: writes joined to the runtime's own at commit. */
    private readonly onSettled: (settled: ReadonlyArray<{ sagaId: string; state: S }>) => Write[] = () => [],
    /** Reads what the commands of a batch of fired deadlines will need, all at once (the owner's aggregates). */
    private readonly beforeFiring: (tx: Tx, sagaIds: readonly string[]) => Promise<void> = async () => {},
    private readonly options: RuntimeOptions = {},
  ) {}

  get type(): string {
    return this.definition.type;
  }

  private touched(tx: Tx): TouchedSagas<S> {
    return tx.deferred(this, () => new TouchedSagas<S>((sagas) => this.persist(sagas)));
  }

  /**
   * Creates the instance and applies its first input, in the caller's transaction. `origin`: the
   * metadata of the request (or event) that starts it, kept with the instance for its deadlines.
   */
  async begin(tx: Tx, sagaId: string, initial: S, input: I, correlationId: string, origin: EventMetadata = {}): Promise<S> {
    const now = this.clock.now();
    const touched = touchedAt(initial, 0, now, origin, { correlationId, at: now });
    this.touched(tx).sagas.set(sagaId, touched);
    return this.apply(tx, sagaId, touched, [input], null, origin);
  }

  /**
   * Locks and reads several sagas in one statement (in id order), so the inputs that follow in this
   * transaction find them already loaded.
   */
  async preload(tx: Tx, sagaIds: readonly string[]): Promise<void> {
    const sagas = this.touched(tx).sagas;
    const wanted = [...new Set(sagaIds)].filter((id) => !sagas.has(id));
    if (wanted.length === 0) return;
    const found = await tx.query<{ id: string; state: S; steps: number; origin: EventMetadata }>(
      `SELECT id, state, steps, origin FROM platform.saga_instances WHERE id = ANY ($1::text[]) AND saga_type = $2 ORDER BY id FOR UPDATE`,
      [wanted, this.definition.type],
    );
    const now = this.clock.now();
    for (const row of found.rows) sagas.set(row.id, touchedAt(row.state, row.steps, now, row.origin));
  }

  /** A saga's state as this transaction sees it (its buffer first), or null for an unknown id. Locks it, as `handle` would. */
  async stateOf(tx: Tx, sagaId: string): Promise<S | null> {
    await this.preload(tx, [sagaId]);
    return this.touched(tx).sagas.get(sagaId)?.state ?? null;
  }

  /**
   * Applies an input to a running saga under its row lock; unknown saga ids are ignored (not ours).
   * `cause`: the event (or request) the input came from; none for a deadline.
   */
  async handle(tx: Tx, sagaId: string, input: I, cause: StepCause = null): Promise<S | null> {
    const sagas = this.touched(tx).sagas;
    let touched = sagas.get(sagaId);
    if (!touched) {
      const found = await tx.query<{ state: S; steps: number; origin: EventMetadata }>(
        `SELECT state, steps, origin FROM platform.saga_instances WHERE id = $1 AND saga_type = $2 FOR UPDATE`,
        [sagaId, this.definition.type],
      );
      const row = found.rows[0];
      if (!row) return null;
      touched = touchedAt(row.state, row.steps, this.clock.now(), row.origin);
      sagas.set(sagaId, touched);
    }
    // An event's metadata travels on (its trace, on a span of this step's); a bare event id or a
    // deadline has none to give: the saga's origin (or the runtime's rule for deadlines) stands in.
    const given = cause !== null && typeof cause === "object" ? cause.metadata : null;
    const eventId = cause !== null && typeof cause === "object" ? cause.eventId : cause;
    const metadata =
      given ?? (cause === null && this.options.deadlineMetadata ? this.options.deadlineMetadata(touched.origin) : touched.origin);
    return this.apply(tx, sagaId, touched, [input], eventId, withChildSpan(metadata));
  }

  private async apply(tx: Tx, sagaId: string, touched: Touched<S>, inputs: I[], cause: string | null, metadata: EventMetadata): Promise<S> {
    const queue = [...inputs];
    for (let chained = 0; queue.length > 0; chained++) {
      if (chained >= MAX_CHAIN) throw new Error(`saga ${sagaId} chained more than ${MAX_CHAIN} inputs`);
      const input = queue.shift()!;
      const from = touched.state;
      const reaction: Reaction<S, C> = this.definition.react(from, input);
      const now = this.clock.now();
      touched.rows.push({
        seq: ++touched.steps,
        at: now,
        input: input.type,
        from: from.status,
        to: reaction.state.status,
        commands: reaction.commands.map((c) => c.type),
        note: reaction.note ?? null,
      });
      touched.state = reaction.state;
      touched.at = now;
      for (const command of reaction.commands) {
        if (isDeadline(command)) {
          touched.deadlines.set(command.name, command.type === "ScheduleDeadline" ? new Date(now.getTime() + command.afterMs) : null);
          continue;
        }
        // Not a deadline, so one of the saga's effects (a guard cannot narrow a generic union).
        const followUps = await this.execute(tx, sagaId, command as EffectOf<C>, touched.state, cause, metadata);
        if (followUps) queue.push(...followUps);
      }
    }
    // A finished saga keeps no deadline: every one goes at commit, and none is scheduled.
    touched.finished = this.definition.terminal.includes(touched.state.status);
    if (touched.finished) touched.deadlines.clear();
    return touched.state;
  }

  /** Every saga this transaction touched, as one write; then the owner's mirror of their statuses. */
  private persist(all: Array<[string, Touched<S>]>): Write[] {
    const sagas = all.filter(([, t]) => t.created || t.rows.length > 0); // preloaded but given no input: nothing to write
    if (sagas.length === 0) return [];
    const created = sagas.filter(([, t]) => t.created);
    const updated = sagas.filter(([, t]) => !t.created);
    const steps = sagas.flatMap(([id, t]) => t.rows.map((row) => ({ id, ...row })));
    // A saga created in this transaction has no deadline rows yet (one scheduled and cancelled here never got one).
    const cleared = sagas
      .filter(([, t]) => !t.created)
      .flatMap(([id, t]): Array<{ id: string; name: string | null }> =>
        t.finished ? [{ id, name: null }] : [...t.deadlines].filter(([, due]) => due === null).map(([name]) => ({ id, name })),
      );
    const scheduled = sagas.flatMap(([id, t]) =>
      [...t.deadlines].filter(([, due]) => due !== null).map(([name, due]) => ({ id, name, due: due! })),
    );
    // The parts touch disjoint rows (a deadline is either cleared or scheduled), as one statement requires.
    // `= ANY (ids)` beside each join pins the rows by primary key: a generic plan (statements are
    // prepared) otherwise guesses the arrays' size and may hash-join over a whole table. A part with
    // no rows is left out (planning and running an empty join is not free); the texts stay few.
    const parts: Write[] = [];
    if (created.length > 0) {
      const column = <T>(pick: (t: Touched<S>, id: string) => T) => created.map(([id, t]) => pick(t, id));
      parts.push({
        ctes: [
          sqlText`INSERT INTO platform.saga_instances (id, saga_type, status, state, correlation_id, created_at, updated_at, steps, origin)
           SELECT n.id, ${this.definition.type}::text, n.status, n.state, n.correlation_id, n.created_at, n.updated_at, n.steps, n.origin
             FROM unnest(${column((_, id) => id)}::text[], ${column((t) => t.state.status)}::text[], ${column((t) => JSON.stringify(t.state))}::jsonb[],
               ${column((t) => t.created!.correlationId)}::text[], ${column((t) => t.created!.at)}::timestamptz[], ${column((t) => t.at)}::timestamptz[],
               ${column((t) => t.steps)}::int[], ${column((t) => JSON.stringify(t.origin))}::jsonb[])
               AS n(id, status, state, correlation_id, created_at, updated_at, steps, origin)`,
        ],
      });
    }
    if (updated.length > 0) {
      const ids = updated.map(([id]) => id);
      parts.push({
        ctes: [
          sqlText`UPDATE platform.saga_instances i SET status = u.status, state = u.state, updated_at = u.updated_at, steps = u.steps
             FROM unnest(${ids}::text[], ${updated.map(([, t]) => t.state.status)}::text[], ${updated.map(([, t]) => JSON.stringify(t.state))}::jsonb[],
               ${updated.map(([, t]) => t.at)}::timestamptz[], ${updated.map(([, t]) => t.steps)}::int[]) AS u(id, status, state, updated_at, steps)
            WHERE i.id = u.id AND i.id = ANY (${ids}::text[])`,
        ],
      });
    }
    parts.push({
      ctes: [
        sqlText`INSERT INTO platform.saga_steps (saga_id, seq, at, input, from_status, to_status, commands, note)
         SELECT * FROM unnest(${steps.map((s) => s.id)}::text[], ${steps.map((s) => s.seq)}::int[], ${steps.map((s) => s.at)}::timestamptz[],
           ${steps.map((s) => s.input)}::text[], ${steps.map((s) => s.from)}::text[], ${steps.map((s) => s.to)}::text[],
           ${steps.map((s) => JSON.stringify(s.commands))}::jsonb[], ${steps.map((s) => s.note)}::text[])`,
      ],
    });
    if (cleared.length > 0) {
      const ids = cleared.map((c) => c.id);
      parts.push({
        ctes: [
          sqlText`DELETE FROM platform.saga_deadlines d USING unnest(${ids}::text[], ${cleared.map((c) => c.name)}::text[]) AS c(id, name)
            WHERE d.saga_id = c.id AND (c.name IS NULL OR d.name = c.name) AND d.saga_id = ANY (${ids}::text[])`,
        ],
      });
    }
    if (scheduled.length > 0) {
      parts.push({
        ctes: [
          sqlText`INSERT INTO platform.saga_deadlines (saga_id, name, saga_type, due_at)
           SELECT s.id, s.name, ${this.definition.type}::text, s.due_at
             FROM unnest(${scheduled.map((s) => s.id)}::text[], ${scheduled.map((s) => s.name)}::text[], ${scheduled.map((s) => s.due)}::timestamptz[])
               AS s(id, name, due_at)
           ON CONFLICT (saga_id, name) DO UPDATE SET due_at = EXCLUDED.due_at`,
        ],
      });
    }
    return [...parts, ...this.onSettled(sagas.map(([sagaId, t]) => ({ sagaId, state: t.state })))];
  }

  /** The earliest deadline of this saga type that `fireDue` would fire once due (its instance exists). */
  nextDue(db: Db): Promise<Date | null> {
    return earliestIn(
      db,
      `SELECT min(d.due_at) AS due FROM platform.saga_deadlines d JOIN platform.saga_instances i ON i.id = d.saga_id WHERE d.saga_type = $1`,
      [this.definition.type],
    );
  }

  /** Fires every due deadline of this saga type (by the injected clock); returns how many fired. */
  async fireDue(db: Db, limit = 100): Promise<number> {
    return db.tx(async (tx) => {
      // The saga rows are locked here too, with SKIP LOCKED: a consumer batch that holds a saga (and
      // will write its deadlines at commit) is passed over until next time, never waited on —
      // waiting would take the two locks in the opposite order to the batch.
      const due = await tx.query<{ saga_id: string; name: string }>(
        `WITH due AS (
           SELECT d.saga_id, d.name FROM platform.saga_deadlines d JOIN platform.saga_instances i ON i.id = d.saga_id
            WHERE d.saga_type = $1 AND d.due_at <= $2 ORDER BY d.due_at LIMIT $3 FOR UPDATE OF d, i SKIP LOCKED)
         DELETE FROM platform.saga_deadlines x USING due WHERE x.saga_id = due.saga_id AND x.name = due.name
         RETURNING x.saga_id, x.name`,
        [this.definition.type, this.clock.now(), limit],
      );
      // A batch of renewals falling due together: their sagas and aggregates in two reads, not two per deadline.
      const ids = due.rows.map((row) => row.saga_id);
      if (ids.length > 1) await Promise.all([this.preload(tx, ids), this.beforeFiring(tx, ids)]);
      for (const row of due.rows) await this.handle(tx, row.saga_id, this.deadlineInput(row.name));
      return due.rows.length;
    });
  }
}

export async function sagaHistory(db: Sql, sagaId: string): Promise<{ state: string; steps: SagaStep[] } | null> {
  const instance = await db.query<{ status: string }>(`SELECT status FROM platform.saga_instances WHERE id = $1`, [sagaId]);
  if (!instance.rows[0]) return null;
  const steps = await db.query<{
    seq: number;
    at: Date;
    input: string;
    from_status: string;
    to_status: string;
    commands: string[];
    note: string | null;
  }>(`SELECT seq, at, input, from_status, to_status, commands, note FROM platform.saga_steps WHERE saga_id = $1 ORDER BY seq`, [sagaId]);
  return {
    state: instance.rows[0].status,
    steps: steps.rows.map((s) => ({
      seq: s.seq,
      at: new Date(s.at).toISOString(),
      input: s.input,
      from: s.from_status,
      to: s.to_status,
      commands: s.commands,
      note: s.note,
    })),
  };
}
