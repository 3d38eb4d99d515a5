import { Type } from "@sinclair/typebox";
import type { Tx } from "../../src/platform/db/db.js";
import type { Envelope } from "../../src/platform/events/envelope.js";
import { defineEvent, envelope } from "../../src/platform/events/registry.js";
import { newId } from "../../src/platform/ids.js";
import type { ContextModule } from "../../src/platform/module.js";
import { Type as T } from "@sinclair/typebox";
import { authorize, principalOf } from "../../src/platform/http/server.js";
import { idempotent, keyedRequest } from "../../src/platform/http/idempotency.js";
import { RejectionError } from "../../src/platform/result.js";

/** A test-only wire type and consumer, to exercise the kernel without any business context. */
export const ProbePinged = defineEvent({
  type: "probe.pinged.v1",
  source: "probe",
  aggregateType: "Probe",
  retentionClass: "operational",
  payload: Type.Object({ key: Type.String(), seq: Type.Integer() }, { additionalProperties: false }),
  aggregateId: (p) => p.key,
  partitionKey: (p) => p.key,
});

export function ping(key: string, seq: number, at = new Date()): Envelope {
  return envelope(ProbePinged, { key, seq }, { eventId: newId("evt"), occurredAt: at, tenantId: null }, { correlationId: key });
}

export interface ProbeControl {
  /** Throw from the handler while true (a broken downstream). */
  failing: boolean;
  calls: number;
}

/** Records each applied event in probe_effects, so tests count effects in the database, not in memory. */
export function probeModule(control: ProbeControl = { failing: false, calls: 0 }): ContextModule & { control: ProbeControl } {
  return {
    name: "probe",
    control,
    events: [ProbePinged],
    errors: { "PROBE.REFUSED": 409 },
    async install({ kernel, server, authenticator }) {
      // The app role may not create tables; the probe's one table is made as the session (owner) user.
      await kernel.db.tx(async (tx) => {
        await tx.query(`DO $$ BEGIN EXECUTE format('SET LOCAL ROLE %I', session_user); END $$`);
        await tx.query(
          `CREATE TABLE IF NOT EXISTS platform.probe_effects (event_id text, key text, seq int, applied_at timestamptz DEFAULT clock_timestamp())`,
        );
        await tx.query(`GRANT SELECT, INSERT, DELETE ON platform.probe_effects TO ghasi_app`);
        await tx.query(`CREATE TABLE IF NOT EXISTS platform.probe_notes (id text PRIMARY KEY, owner text NOT NULL, text text NOT NULL)`);
        await tx.query(`GRANT SELECT, INSERT ON platform.probe_notes TO ghasi_app`);
      });
      // A route that writes a row and an event, to exercise validation, auth and Idempotency-Key.
      server.post(
        "/api/v1/probe/notes",
        {
          preValidation: authorize(authenticator, "learner"),
          schema: {
            operationId: "probeCreateNote",
            description: "Test only: creates a note and publishes probe.pinged.v1",
            body: T.Object(
              { text: T.String({ minLength: 1, maxLength: 100 }), copies: T.Optional(T.Integer({ minimum: 1, maximum: 3 })) },
              { additionalProperties: false },
            ),
            response: { 201: T.Object({ noteId: T.String() }, { additionalProperties: false }) },
          },
        },
        async (request, reply) => {
          const principal = principalOf(request);
          if (request.body.text === "forbidden") throw new RejectionError({ code: "PROBE.REFUSED", detail: "that note is refused" });
          const result = await idempotent(
            kernel.db,
            keyedRequest(request, principal),
            { required: true, tenantId: principal.tenantId },
            async (tx) => {
              const id = newId("note");
              await tx.query(`INSERT INTO platform.probe_notes (id, owner, text) VALUES ($1, $2, $3)`, [
                id,
                principal.userId,
                request.body.text,
              ]);
              await kernel.outbox.append(tx, [ping(id, 1)]);
              return { status: 201, body: { noteId: id } };
            },
          );
          return reply.code(result.status as 201).send(result.body);
        },
      );
      kernel.hub.register({
        name: "probe.recorder",
        types: [ProbePinged.type],
        async handle(tx: Tx, event: Envelope) {
          control.calls++;
          if (control.failing) throw new Error("probe downstream is down");
          const payload = event.payload as { key: string; seq: number };
          await tx.query(`INSERT INTO platform.probe_effects (event_id, key, seq) VALUES ($1, $2, $3)`, [
            event.eventId,
            payload.key,
            payload.seq,
          ]);
        },
      });
    },
  };
}
