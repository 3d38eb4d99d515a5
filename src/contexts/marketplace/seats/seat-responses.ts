import { Type } from "@sinclair/typebox";
import { Instant, Nullable } from "../../../platform/http/schemas.js";

/**
 * What the seat routes answer, for the served OpenAPI document. Fastify serializes responses by
 * these schemas, so a field missing here would be dropped from the response: keep them in step with
 * assign-seats.ts, release-seat.ts, seat-jobs.ts and the list in seats.routes.ts.
 */
export const SeatResultView = Type.Object(
  {
    userId: Type.String(),
    status: Type.Union([Type.Literal("assigned"), Type.Literal("already_assigned"), Type.Literal("no_seat")], {
      description: "assigned: by this request; already_assigned: the learner held a seat of this license before; no_seat: none was left",
    }),
    seatAssignmentId: Type.Optional(Type.String({ description: "the learner's seat (assigned, already_assigned)" })),
    enrollmentId: Type.Optional(Type.String({ description: "the seat's enrollment" })),
  },
  { additionalProperties: false },
);

const SeatCounter = {
  seatsAssigned: Type.Integer({ description: "seats of the license now held" }),
  seatTotal: Type.Integer({ description: "the license's seats" }),
};

export const SeatAssignment = Type.Object(
  { results: Type.Array(SeatResultView, { description: "one per learner, in the request's order" }), ...SeatCounter },
  {
    additionalProperties: false,
    examples: [
      {
        results: [
          { userId: "usr_ana", status: "assigned", seatAssignmentId: "ssa_01J9Z4A1", enrollmentId: "enr_01J9Z4A2" },
          { userId: "usr_ben", status: "already_assigned", seatAssignmentId: "ssa_01J9Y0B7", enrollmentId: "enr_01J9Y0B8" },
        ],
        seatsAssigned: 12,
        seatTotal: 50,
      },
    ],
  },
);

export const SeatJobQueued = Type.Object(
  { jobId: Type.String(), status: Type.Literal("queued"), total: Type.Integer({ description: "learners named" }) },
  { additionalProperties: false, examples: [{ jobId: "sjb_01J9Z4C3", status: "queued", total: 5000 }] },
);

export const ReleasedSeat = Type.Object(
  { seatAssignmentId: Type.String(), userId: Type.String(), status: Type.Literal("released"), ...SeatCounter },
  { additionalProperties: false },
);

export const SeatPage = Type.Object(
  {
    items: Type.Array(
      Type.Object(
        {
          seatAssignmentId: Type.String(),
          userId: Type.String(),
          enrollmentId: Nullable(Type.String()),
          status: Type.Union([Type.Literal("active"), Type.Literal("released")], {
            description: "active: the list holds active seats only",
          }),
          assignedAt: Instant,
        },
        { additionalProperties: false },
      ),
    ),
    nextCursor: Nullable(Type.String()),
    seatsAssigned: Type.Integer(),
    seatTotal: Nullable(Type.Integer({ description: "null: the license is not a seat pack" })),
  },
  { additionalProperties: false },
);

export const SeatJobView = Type.Object(
  {
    jobId: Type.String(),
    licenseId: Type.String(),
    status: Type.Union([Type.Literal("queued"), Type.Literal("running"), Type.Literal("completed")]),
    total: Type.Integer({ description: "learners named" }),
    done: Type.Integer({ description: "learners holding a seat (assigned or already assigned)" }),
    failed: Type.Integer({ description: "learners left without a seat" }),
    createdAt: Instant,
    updatedAt: Instant,
    results: Type.Optional(Type.Array(SeatResultView, { description: "with ?results=true: the per-learner results so far" })),
  },
  { additionalProperties: false },
);
