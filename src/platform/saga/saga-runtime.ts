import type { Clock } from "../clock.js";
import type { Db, Sql, Tx } from "../db/db.js";
import type { Reaction, SagaDefinition, SagaState, SagaStep } from "./saga.js";

/**
 * Executes one command inside the transaction that recorded the step. It may return inputs that
 * go straight back into the saga (the licence ids it granted, an enrollment that was refused).
 */
export type CommandExecutor<S, I, C> = (tx: Tx, sagaId: string, command: C, state: S) => Promise<I[] | void>;

export interface DeadlineCommand {
  type: "ScheduleDeadline" | "CancelDeadline";
  name: string;
  afterMs?: number;
}

const isDeadline = (command: { type: string }): command is DeadlineCommand =>
  command.type === "ScheduleDeadline" || command.type === "CancelDeadline";

/** Safety net: a saga that keeps feeding itself inputs is a bug, not a workload. */
const MAX_CHAIN = 32;

export class SagaRuntime<S extends SagaState, I extends { type: string }, C extends { type: string }> {
  constructor(
    private readonly definition: SagaDefinition<S, I, C>,
    private readonly clock: Clock,
    private readonly execute: CommandExecutor<S, I, C>,
    /** Turns a fired deadline into the saga's own input. */
    private readonly deadlineInput: (name: string) => I,
    /** Lets the owning context mirror the saga's status onto its aggregate, in the same transaction. */
    private readonly onSettled: (tx: Tx, sagaId: string, state: S) => Promise<void> = async () => undefined,
  ) {}

  get type(): string {
    return this.definition.type;
  }

  /** Creates the instance and applies its first input, in the caller's transaction. */
  async begin(tx: Tx, sagaId: string, initial: S, input: I, correlationId: string): Promise<S> {
    const now = this.clock.now();
    await tx.query(
      `INSERT INTO platform.saga_instances (id, saga_type, status, state, correlation_id, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $6)`,
      [sagaId, this.definition.type, initial.status, JSON.stringify(initial), correlationId, now],
    );
    return this.apply(tx, sagaId, initial, [input]);
  }

  /** Applies an input to a running saga under its row lock; unknown saga ids are ignored (not ours). */
  async handle(tx: Tx, sagaId: string, input: I): Promise<S | null> {
    const found = await tx.query<{ state: S }>(
      `SELECT state FROM platform.saga_instances WHERE id = $1 AND saga_type = $2 FOR UPDATE`,
      [sagaId, this.definition.type],
    );
    const row = found.rows[0];
    if (!row) return null;
    return this.apply(tx, sagaId, row.state, [input]);
  }

  private async apply(tx: Tx, sagaId: string, start: S, inputs: I[]): Promise<S> {
    let state = start;
    const queue = [...inputs];
    const seqRow = await tx.query<{ seq: number }>(`SELECT COALESCE(max(seq), 0)::int AS seq FROM platform.saga_steps WHERE saga_id = $1`, [sagaId]);
    let seq = seqRow.rows[0]!.seq;
    for (let chained = 0; queue.length > 0; chained++) {
      if (chained >= MAX_CHAIN) throw new Error(`saga ${sagaId} chained more than ${MAX_CHAIN} inputs`);
      const input = queue.shift()!;
      const reaction: Reaction<S, C> = this.definition.react(state, input);
      const now = this.clock.now();
      await tx.query(
        `INSERT INTO platform.saga_steps (saga_id, seq, at, input, from_status, to_status, commands, note) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
        [sagaId, ++seq, now, input.type, state.status, reaction.state.status, JSON.stringify(reaction.commands.map((c) => c.type)), reaction.note ?? null],
      );
      state = reaction.state;
      for (const command of reaction.commands) {
        if (isDeadline(command)) {
          await this.deadline(tx, sagaId, command, now);
          continue;
        }
        const followUps = await this.execute(tx, sagaId, command, state);
        if (followUps) queue.push(...followUps);
      }
    }
    if (this.definition.terminal.includes(state.status)) {
      await tx.query(`DELETE FROM platform.saga_deadlines WHERE saga_id = $1`, [sagaId]);
    }
    await tx.query(`UPDATE platform.saga_instances SET state = $2, status = $3, updated_at = $4 WHERE id = $1`, [sagaId, JSON.stringify(state), state.status, this.clock.now()]);
    await this.onSettled(tx, sagaId, state);
    return state;
  }

  private async deadline(tx: Tx, sagaId: string, command: DeadlineCommand, now: Date): Promise<void> {
    if (command.type === "CancelDeadline") {
      await tx.query(`DELETE FROM platform.saga_deadlines WHERE saga_id = $1 AND name = $2`, [sagaId, command.name]);
      return;
    }
    await tx.query(
      `INSERT INTO platform.saga_deadlines (saga_id, name, saga_type, due_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (saga_id, name) DO UPDATE SET due_at = EXCLUDED.due_at`,
      [sagaId, command.name, this.definition.type, new Date(now.getTime() + (command.afterMs ?? 0))],
    );
  }

  /** Fires every due deadline of this saga type (by the injected clock); returns how many fired. */
  async fireDue(db: Db, limit = 100): Promise<number> {
    return db.tx(async (tx) => {
      const due = await tx.query<{ saga_id: string; name: string }>(
        `DELETE FROM platform.saga_deadlines WHERE (saga_id, name) IN (
           SELECT saga_id, name FROM platform.saga_deadlines
            WHERE saga_type = $1 AND due_at <= $2 ORDER BY due_at LIMIT $3 FOR UPDATE SKIP LOCKED)
         RETURNING saga_id, name`,
        [this.definition.type, this.clock.now(), limit],
      );
      for (const row of due.rows) await this.handle(tx, row.saga_id, this.deadlineInput(row.name));
      return due.rows.length;
    });
  }
}

export async function sagaHistory(db: Sql, sagaId: string): Promise<{ state: string; steps: SagaStep[] } | null> {
  const instance = await db.query<{ status: string }>(`SELECT status FROM platform.saga_instances WHERE id = $1`, [sagaId]);
  if (!instance.rows[0]) return null;
  const steps = await db.query<{ seq: number; at: Date; input: string; from_status: string; to_status: string; commands: string[]; note: string | null }>(
    `SELECT seq, at, input, from_status, to_status, commands, note FROM platform.saga_steps WHERE saga_id = $1 ORDER BY seq`,
    [sagaId],
  );
  return {
    state: instance.rows[0].status,
    steps: steps.rows.map((s) => ({ seq: s.seq, at: new Date(s.at).toISOString(), input: s.input, from: s.from_status, to: s.to_status, commands: s.commands, note: s.note })),
  };
}
