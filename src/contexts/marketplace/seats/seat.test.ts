import { describe, expect, it } from "vitest";
import { codeOf } from "../../../platform/testing/given-when-then.js";
import { acceptsSeats, firstDuplicate, planSeats, progressAfter, type SeatLicense } from "./seat.domain.js";

const now = new Date("2026-03-01T09:00:00Z");
const pack = (overrides: Partial<SeatLicense> = {}): SeatLicense => ({
  kind: "seat_pack",
  state: "active",
  seatTotal: 3,
  seatsAssigned: 0,
  validFrom: new Date("2026-02-01T00:00:00Z"),
  validUntil: null,
  ...overrides,
});

describe("which licenses hand out seats", () => {
  it("an active seat pack does, with its free seats", () => {
    expect(acceptsSeats(pack({ seatsAssigned: 1 }), now)).toEqual({ ok: true, value: { free: 2 } });
  });
  it("other kinds, expired, revoked or past-valid licenses do not", () => {
    expect(codeOf(acceptsSeats(pack({ kind: "site_license", seatTotal: null }), now))).toBe("LICENSE.NOT_SEAT_PACK");
    expect(codeOf(acceptsSeats(pack({ kind: "one_time", seatTotal: 1 }), now))).toBe("LICENSE.NOT_SEAT_PACK");
    expect(codeOf(acceptsSeats(pack({ state: "expired" }), now))).toBe("LICENSE.NOT_ACTIVE");
    expect(codeOf(acceptsSeats(pack({ state: "revoked" }), now))).toBe("LICENSE.NOT_ACTIVE");
    expect(codeOf(acceptsSeats(pack({ validUntil: now }), now))).toBe("LICENSE.NOT_ACTIVE");
    expect(codeOf(acceptsSeats(pack({ validFrom: new Date(now.getTime() + 1) }), now))).toBe("LICENSE.NOT_ACTIVE");
  });
});

describe("planning seats", () => {
  it("given free seats, when learners ask, then each gets one in request order", () => {
    expect(planSeats(pack(), now, ["u1", "u2"], new Set())).toEqual({ ok: true, value: { assign: ["u1", "u2"], already: [], noSeat: [] } });
  });
  it("given fewer free seats than learners, the first ones get seats and the rest none", () => {
    expect(planSeats(pack({ seatsAssigned: 1 }), now, ["u1", "u2", "u3", "u4"], new Set())).toEqual({
      ok: true,
      value: { assign: ["u1", "u2"], already: [], noSeat: ["u3", "u4"] },
    });
  });
  it("learners already seated keep their seat and take no new one", () => {
    expect(planSeats(pack({ seatsAssigned: 3 }), now, ["u1"], new Set(["u1"]))).toEqual({
      ok: true,
      value: { assign: [], already: ["u1"], noSeat: [] },
    });
    expect(planSeats(pack({ seatsAssigned: 2 }), now, ["u1", "u2", "u3"], new Set(["u1"]))).toEqual({
      ok: true,
      value: { assign: ["u2"], already: ["u1"], noSeat: ["u3"] },
    });
  });
  it("given no free seat, a learner who needs one is refused with SEATS.EXHAUSTED", () => {
    const refused = planSeats(pack({ seatsAssigned: 3 }), now, ["u9"], new Set());
    expect(codeOf(refused)).toBe("SEATS.EXHAUSTED");
    expect(refused.ok ? null : refused.rejection.field).toBe("userIds");
  });
  it("an expired pack refuses even learners who would fit", () => {
    expect(codeOf(planSeats(pack({ state: "expired" }), now, ["u1"], new Set()))).toBe("LICENSE.NOT_ACTIVE");
  });
});

describe("bulk jobs", () => {
  it("count seated learners as done and the others as failed, completing at the total", () => {
    const after = progressAfter({ total: 3, done: 1, failed: 0 }, [
      { userId: "a", status: "assigned" },
      { userId: "b", status: "no_seat" },
    ]);
    expect(after).toEqual({ total: 3, done: 2, failed: 1, status: "completed" });
    expect(progressAfter({ total: 5, done: 0, failed: 0 }, [{ userId: "a", status: "already_assigned" }]).status).toBe("running");
  });
  it("names the first duplicate id", () => {
    expect(firstDuplicate(["a", "b", "a"])).toBe("a");
    expect(firstDuplicate(["a", "b"])).toBeNull();
  });
});
