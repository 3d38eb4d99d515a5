import { decodeKeyCursor, encodeKeyCursor } from "../../../platform/http/cursor.js";
import { Type } from "@sinclair/typebox";
import { IdempotencyKeyHeader, idempotent, keyedRequest } from "../../../platform/http/idempotency.js";
import { authorize, principalOf } from "../../../platform/http/server.js";
import { requestMetadataOf } from "../../../platform/http/request-context.js";
import type { ModuleHost } from "../../../platform/module.js";
import { unwrap } from "../../../platform/result.js";
import { refuse } from "../errors.js";
import { findLicense } from "../licenses/licenses.sql.js";
import type { EnrollmentsPort } from "../ports.js";
import { assignSeats, type SeatRules } from "./assign-seats.js";
import { releaseSeat } from "./release-seat.js";
import { firstDuplicate, MAX_USERS, SYNC_LIMIT } from "./seat.domain.js";
import { enqueueSeatJob } from "./seat-jobs.js";
import { findSeatJob } from "./seat-jobs.sql.js";
import { listActiveSeats } from "./seats.sql.js";
import { Component, Cursor, Id } from "../../../platform/http/schemas.js";
import { Json } from "../../../platform/http/openapi.js";
import { ReleasedSeat, SeatAssignment, SeatJobQueued, SeatJobView, SeatPage } from "./seat-responses.js";

const LicenseParams = Type.Object({ licenseId: Id }, { additionalProperties: false });

const AssignBody = Type.Object(
  {
    userIds: Type.Array(Id, {
      minItems: 1,
      maxItems: MAX_USERS,
      description: `1..${MAX_USERS} unique user ids; more than ${SYNC_LIMIT} run as a job (202)`,
    }),
  },
  { additionalProperties: false, examples: [{ userIds: ["usr_ana", "usr_ben"] }] },
);

type AssignReply = { status: 200 | 201 | 202; body: unknown };

// A cursor is the last id served; one this endpoint did not issue is a 400 (REQUEST.CURSOR_INVALID).
const encodeCursor = encodeKeyCursor;
const decodeCursor = decodeKeyCursor;

/** Seat assignment, release, listing and bulk jobs: org admins of the buying tenant only. */
export function seatRoutes({ kernel, server, authenticator }: ModuleHost, enrollments: EnrollmentsPort, rules: SeatRules): void {
  const Assignment = Component(server, "SeatAssignment", SeatAssignment);
  server.post(
    "/api/v1/licenses/:licenseId/seats",
    {
      preValidation: authorize(authenticator, "org_admin"),
      schema: {
        tags: ["licenses"],
        operationId: "assignSeats",
        summary: "Assign seats of a seat pack to learners (enrolls them); more than 1,000 learners run as a job. Idempotency-Key accepted.",
        description:
          "An org admin of the buying tenant hands seats of an active seat-pack license to learners, in request order, and each seated learner " +
          `is enrolled. Learners already seated keep their seat; once the seats run out the rest get \`no_seat\`, and 409 SEATS.EXHAUSTED when ` +
          `nobody new could be seated. Up to ${SYNC_LIMIT} learners are assigned at once (201 when someone was seated, 200 when nobody new ` +
          `was); more run as a job (202, follow it at seat-jobs/{jobId}). The same Idempotency-Key and body replay the first answer.`,
        security: [{ bearer: [] }],
        params: LicenseParams,
        headers: IdempotencyKeyHeader,
        body: AssignBody,
        response: {
          200: Json(Assignment, "Nobody new was seated: every learner named already held a seat of this license"),
          201: Json(Assignment, "At least one learner was seated by this request"),
          202: Json(SeatJobQueued, `More than ${SYNC_LIMIT} learners: a job assigns them; poll seat-jobs/{jobId}`),
        },
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      const { licenseId } = request.params;
      const { userIds } = request.body;
      const duplicate = firstDuplicate(userIds);
      if (duplicate !== null) throw refuse({ code: "SEATS.DUPLICATE_USER", detail: `${duplicate} is named twice`, field: "userIds" });
      const result = await idempotent(
        kernel.db,
        keyedRequest(request, principal),
        { required: false, tenantId: principal.tenantId },
        async (tx): Promise<AssignReply> => {
          const input = {
            licenseId,
            tenantId: principal.tenantId,
            userIds,
            actorUserId: principal.userId,
            metadata: requestMetadataOf(request, principal),
          };
          if (userIds.length > SYNC_LIMIT) return { status: 202, body: unwrap(await enqueueSeatJob(kernel, tx, input)) };
          const outcome = unwrap(await assignSeats(kernel, enrollments, tx, input, rules));
          return {
            status: outcome.assigned > 0 ? 201 : 200,
            body: { results: outcome.results, seatsAssigned: outcome.seatsAssigned, seatTotal: outcome.seatTotal },
          };
        },
      );
      // The stored body of a replay is the first response, whatever its shape.
      return reply.code(result.status as AssignReply["status"]).send(result.body as never);
    },
  );

  server.delete(
    "/api/v1/licenses/:licenseId/seats/:seatAssignmentId",
    {
      preValidation: authorize(authenticator, "org_admin"),
      schema: {
        tags: ["licenses"],
        operationId: "releaseSeat",
        summary: "Release a seat: the learner's seat enrollment is revoked and the seat can be assigned again",
        description:
          "An org admin of the buying tenant gives a seat back to the pack. A renewing seat pack whose plan caps releases per period answers " +
          "409 SEATS.REVOCATION_CAP_REACHED once the cap is used; a seat released before is 409 SEAT.ALREADY_RELEASED.",
        security: [{ bearer: [] }],
        params: Type.Object({ licenseId: Id, seatAssignmentId: Id }, { additionalProperties: false }),
        response: { 200: Json(ReleasedSeat, "The seat is free again; the license's counter as it now stands") },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      return unwrap(
        await kernel.db.tx(
          (tx) =>
            releaseSeat(
              kernel,
              enrollments,
              tx,
              {
                ...request.params,
                tenantId: principal.tenantId,
                actorUserId: principal.userId,
                metadata: requestMetadataOf(request, principal),
              },
              rules,
            ),
          { tenantId: principal.tenantId },
        ),
      );
    },
  );

  server.get(
    "/api/v1/licenses/:licenseId/seats",
    {
      preValidation: authorize(authenticator, "org_admin"),
      schema: {
        tags: ["licenses"],
        operationId: "listSeats",
        summary: "Active seat assignments of a license, by id",
        description:
          "An org admin of the buying tenant pages through the license's active seats (ordered by seatAssignmentId) with its counter.",
        security: [{ bearer: [] }],
        params: LicenseParams,
        querystring: Type.Object(
          { limit: Type.Integer({ minimum: 1, maximum: 500, default: 100 }), cursor: Type.Optional(Cursor()) },
          { additionalProperties: false },
        ),
        response: { 200: Json(SeatPage, "A page of active seats; nextCursor is null on the last page") },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      const { limit, cursor } = request.query;
      const { license, rows } = await kernel.db.tx(
        async (tx) => {
          const license = await findLicense(tx, request.params.licenseId);
          return {
            license,
            rows: license ? await listActiveSeats(tx, license.licenseId, cursor ? decodeCursor(cursor) : undefined, limit + 1) : [],
          };
        },
        { tenantId: principal.tenantId },
      );
      if (!license || license.tenantId !== principal.tenantId)
        throw refuse({ code: "LICENSE.NOT_FOUND", detail: `no license ${request.params.licenseId}` });
      const page = rows.slice(0, limit);
      return {
        items: page.map((s) => ({
          seatAssignmentId: s.seatAssignmentId,
          userId: s.userId,
          enrollmentId: s.enrollmentId,
          status: s.status,
          assignedAt: new Date(s.assignedAt).toISOString(),
        })),
        nextCursor: rows.length > limit ? encodeCursor(page[page.length - 1]!.seatAssignmentId) : null,
        seatsAssigned: license.seatsAssigned,
        seatTotal: license.seatTotal,
      };
    },
  );

  server.get(
    "/api/v1/licenses/:licenseId/seat-jobs/:jobId",
    {
      preValidation: authorize(authenticator, "org_admin"),
      schema: {
        tags: ["licenses"],
        operationId: "getSeatJob",
        summary: "Progress of a bulk seat job; ?results=true adds the per-learner results",
        description: "An org admin of the buying tenant follows a job started by assignSeats (202): queued, running, then completed.",
        security: [{ bearer: [] }],
        params: Type.Object({ licenseId: Id, jobId: Id }, { additionalProperties: false }),
        querystring: Type.Object({ results: Type.Boolean({ default: false }) }, { additionalProperties: false }),
        response: { 200: Json(SeatJobView, "The job's progress") },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      const job = await kernel.db.tx((tx) => findSeatJob(tx, request.params.licenseId, request.params.jobId, request.query.results), {
        tenantId: principal.tenantId,
      });
      if (!job || job.tenantId !== principal.tenantId)
        throw refuse({ code: "SEAT_JOB.NOT_FOUND", detail: `no seat job ${request.params.jobId}` });
      return {
        jobId: job.jobId,
        licenseId: job.licenseId,
        status: job.status,
        total: job.total,
        done: job.done,
        failed: job.failed,
        createdAt: new Date(job.createdAt).toISOString(),
        updatedAt: new Date(job.updatedAt).toISOString(),
        ...(job.results ? { results: job.results } : {}),
      };
    },
  );
}
