import type { Result } from "../result.js";
import type { Reaction, SagaDefinition, SagaState } from "../saga/saga.js";

/**
 * Given/when/then for the pure cores, deciders and sagas alike (after Emmett's DeciderSpecification
 * and WorkflowSpecification): given a state and the inputs that already happened, when one more
 * input arrives, then the test checks what that input produced. It asserts nothing itself, so it
 * needs no test runner: the check passed to `then` does, with the runner's `expect`.
 */
export interface When<S, I, O> {
  /** The state the given history left. */
  state: S;
  when(input: I): Then<O>;
}

export interface Then<O> {
  /** Runs the check on the outcome and returns the outcome, for a next step to start from. */
  then(check: (outcome: O) => void): O;
}

export type Given<S, I, O> = (state: S, ...history: I[]) => When<S, I, O>;

/** A saga: `when` answers with the reaction; the history's reactions are folded into the state. */
export function givenWhenThen<S extends SagaState, I extends { type: string }, C extends { type: string }>(
  saga: SagaDefinition<S, I, C>,
): Given<S, I, Reaction<S, C>>;
/** A decider: `when` answers with its decision; `after` (the state a decision leaves) lets a history be given. */
export function givenWhenThen<S, I, O>(decide: (state: S, input: I) => O, after?: (outcome: O, state: S) => S): Given<S, I, O>;
export function givenWhenThen<S, I, O>(
  core: ((state: S, input: I) => O) | { react(state: S, input: I): O },
  after?: (outcome: O, state: S) => S,
): Given<S, I, O> {
  const step = typeof core === "function" ? core : (state: S, input: I) => core.react(state, input);
  const next = typeof core === "function" ? after : (outcome: O) => (outcome as { state: S }).state;
  return (state, ...history) => {
    if (history.length > 0 && !next) throw new Error("a history needs the state each outcome leaves (`after`)");
    const current = history.reduce((s, input) => next!(step(s, input), s), state);
    return {
      state: current,
      when: (input) => ({
        then(check) {
          const outcome = step(current, input);
          check(outcome);
          return outcome;
        },
      }),
    };
  };
}

/** A decision's rejection code, or "ok": what most refusal checks compare. */
export const codeOf = (result: Result<unknown>): string => (result.ok ? "ok" : result.rejection.code);
