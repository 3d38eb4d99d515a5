import type { Tx } from "../../platform/db/db.js";
import type { EventContext } from "../../platform/events/envelope.js";
import type { Static, TSchema } from "@sinclair/typebox";
import { envelope, type EventDefinition } from "../../platform/events/registry.js";
import { newId } from "../../platform/ids.js";
import type { Kernel } from "../../platform/kernel.js";

/** Writes billing's events to the outbox in the caller's transaction (they leave only after commit). */
export async function emit<T extends string, S extends TSchema>(
  kernel: Kernel,
  tx: Tx,
  definition: EventDefinition<T, S>,
  payload: Static<S>,
  at: { tenantId: string | null; context: EventContext },
): Promise<void> {
  await kernel.outbox.append(tx, [
    envelope(
      definition as EventDefinition<T, any>,
      payload as never,
      { eventId: newId("evt"), occurredAt: kernel.clock.now(), tenantId: at.tenantId },
      at.context,
    ),
  ]);
}
