import { Type } from "@sinclair/typebox";
import type { Envelope } from "../../events/envelope.js";
import { RELAY_DEAD_LETTERS } from "../../events/dead-letters.js";
import type { Kernel } from "../../kernel.js";
import { RejectionError } from "../../result.js";
import { sagaHistory } from "../../saga/saga-runtime.js";
import type { Authenticator } from "../auth.js";
import { IdParam } from "../schemas.js";
import { authorize, type HttpServer } from "../server.js";
import { DeadLetterPage, EventLogPage, Replayed, SagaPage } from "./platform-responses.js";

/** These lists' cursors are the last id served: anything not shaped like one of our ids is a 400. */
const IdCursor = Type.String({ pattern: "^[A-Za-z0-9_-]{1,200}$" });

const Limit = Type.Integer({ minimum: 1, maximum: 500, default: 50 });

/** Operators' routes: the published event log and the dead-letter store (API.md "Platform"). */
export function opsRoutes(server: HttpServer, kernel: Kernel, authenticator: Authenticator): void {
  const admin = authorize(authenticator, "platform_admin");

  server.get(
    "/api/v1/ops/events",
    {
      preValidation: admin,
      schema: {
        tags: ["ops"],
        operationId: "listPublishedEvents",
        summary: "The published event log, oldest first",
        description:
          "Platform admins: every event published, in log order, filtered by type, aggregate or correlation id (an order's id follows a purchase). Resume after the last one with ?cursor=<position>.",
        security: [{ bearer: [] }],
        response: { 200: EventLogPage },
        querystring: Type.Object(
          {
            type: Type.Optional(IdParam),
            aggregateId: Type.Optional(IdParam),
            correlationId: Type.Optional(IdParam),
            limit: Limit,
            cursor: Type.Optional(Type.String({ pattern: "^[0-9]{1,18}$" })),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (request) => {
      const q = request.query;
      const rows = await kernel.db.query<{ position: number | string; envelope: Envelope<Record<string, unknown>> }>(
        `SELECT position, envelope FROM platform.outbox o
          WHERE NOT EXISTS (SELECT 1 FROM platform.outbox_pending p WHERE p.position = o.position)
            -- Off the queue but never published: the relay filed it in the dead letters (too large); a
            -- replayed one that went out is listed (one re-buried has replayed_at cleared again).
            AND NOT EXISTS (SELECT 1 FROM platform.dead_letters d WHERE d.consumer = $6 AND d.event_id = o.event_id AND d.replayed_at IS NULL)
            AND ($1::text IS NULL OR type = $1) AND ($2::text IS NULL OR aggregate_id = $2)
            AND ($3::text IS NULL OR correlation_id = $3) AND position > $4
          ORDER BY position LIMIT $5`,
        [q.type ?? null, q.aggregateId ?? null, q.correlationId ?? null, q.cursor ?? "0", q.limit + 1, RELAY_DEAD_LETTERS],
      );
      const items = rows.rows.slice(0, q.limit);
      return {
        // `position` lets a client that tails the log resume after the last event it saw (?cursor=position).
        items: items.map((row) => ({ ...row.envelope, position: String(row.position) })),
        nextCursor: rows.rows.length > q.limit ? String(items[items.length - 1]!.position) : null,
      };
    },
  );

  server.get(
    "/api/v1/ops/dlq",
    {
      preValidation: admin,
      schema: {
        tags: ["ops"],
        operationId: "listDeadLetters",
        summary: "Dead letters, with their error and attempt history",
        description: "Platform admins: events a consumer gave up on after its retries (or the relay could not publish), oldest first.",
        response: { 200: DeadLetterPage },
        security: [{ bearer: [] }],
        querystring: Type.Object(
          {
            queue: Type.Optional(IdParam),
            consumer: Type.Optional(IdParam),
            pending: Type.Optional(Type.Boolean()),
            limit: Limit,
            cursor: Type.Optional(IdCursor),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (request) => kernel.deadLetters.list(request.query),
  );

  server.post(
    "/api/v1/ops/dlq/:id/replay",
    {
      preValidation: admin,
      schema: {
        tags: ["ops"],
        operationId: "replayDeadLetter",
        summary: "Re-drive one dead letter now; the inbox still applies it at most once",
        description:
          "Platform admins: hands the event to its consumer again (or back to the relay's queue). 404 DLQ.NOT_FOUND; 409 DLQ.ALREADY_REPLAYED, DLQ.CONSUMER_UNKNOWN, or DLQ.REPLAY_FAILED when the consumer fails again.",
        response: { 200: Replayed },
        security: [{ bearer: [] }],
        params: Type.Object({ id: IdParam }),
      },
    },
    async (request) => {
      const result = await kernel.deadLetters.replay(request.params.id);
      if (!result.ok) throw new RejectionError(result.rejection);
      return result.value;
    },
  );

  server.get(
    "/api/v1/ops/sagas",
    {
      preValidation: admin,
      schema: {
        tags: ["ops"],
        operationId: "listSagas",
        summary: "Saga instances (newest first) with their step history",
        description: "Platform admins: purchase, refund and subscription sagas with every step they took, filtered by state or type.",
        response: { 200: SagaPage },
        security: [{ bearer: [] }],
        querystring: Type.Object(
          {
            state: Type.Optional(Type.String({ maxLength: 50 })),
            type: Type.Optional(Type.String({ maxLength: 100 })),
            limit: Type.Integer({ minimum: 1, maximum: 100, default: 20 }),
            cursor: Type.Optional(IdCursor),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (request) => {
      const q = request.query;
      const rows = await kernel.db.query<{
        id: string;
        saga_type: string;
        status: string;
        correlation_id: string;
        created_at: Date;
        updated_at: Date;
      }>(
        `SELECT id, saga_type, status, correlation_id, created_at, updated_at FROM platform.saga_instances
          WHERE ($1::text IS NULL OR status = $1) AND ($2::text IS NULL OR saga_type = $2) AND ($3::text IS NULL OR id < $3)
          ORDER BY id DESC LIMIT $4`,
        [q.state ?? null, q.type ?? null, q.cursor ?? null, q.limit + 1],
      );
      const page = rows.rows.slice(0, q.limit);
      const items = [];
      for (const row of page) {
        items.push({
          sagaId: row.id,
          type: row.saga_type,
          state: row.status,
          correlationId: row.correlation_id,
          createdAt: new Date(row.created_at).toISOString(),
          updatedAt: new Date(row.updated_at).toISOString(),
          steps: (await sagaHistory(kernel.db, row.id))?.steps ?? [],
        });
      }
      return { items, nextCursor: rows.rows.length > q.limit ? page[page.length - 1]!.id : null };
    },
  );
}
