import type { Tx } from "../../../platform/db/db.js";
import type { EventContext } from "../../../platform/events/envelope.js";
import { ok, type Result } from "../../../platform/result.js";
import { invalidateAfterCommit, type EnrollmentDeps } from "../enrollment-deps.js";
import { apply, type Enrollment, type EnrollmentCommand, type EnrollmentEvent } from "./enrollment.domain.js";
import { toEnvelopes } from "./enrollment-events.js";
import { saveEnrollment } from "./enrollments.sql.js";

export interface Changed {
  enrollment: Enrollment;
  events: EnrollmentEvent[];
}

/**
 * Decide on a loaded (and locked) enrollment, then save the new state and its events in the same
 * transaction. A refusal writes nothing and is returned as a value; the caller decides if it is fatal.
 */
export async function changeEnrollment(
  deps: EnrollmentDeps,
  tx: Tx,
  current: Enrollment,
  cmd: Exclude<EnrollmentCommand, { type: "Create" }>,
  context: EventContext,
): Promise<Result<Changed>> {
  const result = apply(current, cmd);
  if (!result.ok) return result;
  const { state, events } = result.value;
  if (events.length === 0 || !state) return ok({ enrollment: current, events: [] });
  const now = deps.kernel.clock.now();
  await saveEnrollment(tx, state, now);
  await deps.kernel.outbox.append(tx, toEnvelopes(state, events, now, context));
  // The old userId is the cached key (erasure changes it).
  invalidateAfterCommit(deps, tx, [current.userId, state.userId]);
  return ok({ enrollment: state, events });
}
