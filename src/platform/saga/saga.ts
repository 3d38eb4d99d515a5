/**
 * A saga is a pure function `(state, input) → (state, commands)` (DESIGN §4). The runtime persists
 * the state, records each step, executes the commands (the I/O) and feeds their results back.
 */
export interface SagaState {
  status: string;
}

/** Deadlines are the runtime's: it keeps them as rows and gives the saga an input when one passes. */
export type DeadlineCommand<N extends string = string> =
  { type: "ScheduleDeadline"; name: N; afterMs: number } | { type: "CancelDeadline"; name: N };

/** A saga's commands less the deadlines: what its executor does. */
export type EffectOf<C extends { type: string }> = Exclude<C, DeadlineCommand<any>>;

export interface Reaction<S extends SagaState, C> {
  state: S;
  commands: C[];
  /** Why an input changed nothing (a duplicate, a late event): kept in the step history. */
  note?: string;
}

export interface SagaDefinition<S extends SagaState, I extends { type: string }, C extends { type: string }> {
  type: string;
  react(state: S, input: I): Reaction<S, C>;
  /** Terminal statuses: deadlines of a finished saga are dropped. */
  terminal: readonly string[];
}

export interface SagaStep {
  seq: number;
  at: string;
  input: string;
  from: string;
  to: string;
  commands: string[];
  note: string | null;
}
