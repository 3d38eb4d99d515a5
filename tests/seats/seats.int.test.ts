import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buy, flow, liveOffer, openShop, order, sys, type Shop } from "../orders/purchase-support.js";
import { assign, license, release, seatPack, users } from "./seats-support.js";

let shop: Shop;
let otherAdmin: string;
let learner: string;
beforeAll(async () => {
  shop = await openShop();
  otherAdmin = await shop.t.token({ sub: "usr_other_admin", tid: "ten_other", roles: ["org_admin"] });
  learner = await shop.t.token({ sub: "usr_learner_1", tid: "ten_buyer", roles: ["learner"] });
});
afterAll(() => shop?.t.stop());

const enrollmentsOf = async (userId: string, courseId: string) => {
  const response = await shop.http("GET", `/api/v1/enrollments?userId=${userId}&courseId=${courseId}`, { token: shop.orgAdmin });
  expect(response.status, JSON.stringify(response.body)).toBe(200);
  return response.body.items as any[];
};

describe("assigning seats", () => {
  it("gives a learner a seat, counts it on the license, enrolls the learner and publishes valid events", async () => {
    const pack = await seatPack(shop, 3);
    const response = await assign(shop, pack.licenseId, ["usr_learner_1"]);
    expect(response.status, JSON.stringify(response.body)).toBe(201);
    expect(response.body).toMatchObject({ seatsAssigned: 1, seatTotal: 3 });
    const [result] = response.body.results;
    expect(result).toMatchObject({ userId: "usr_learner_1", status: "assigned" });
    expect(result.seatAssignmentId).toMatch(/^ssa_/);
    expect(result.enrollmentId).toMatch(/^enr_/);
    expect(await license(shop, pack.licenseId)).toMatchObject({ seatsAssigned: 1, seatTotal: 3 });

    const mine = await shop.http("GET", `/api/v1/enrollments?userId=usr_learner_1&courseId=${pack.offer.courseId}`, { token: learner });
    expect(mine.body.items).toHaveLength(1);
    expect(mine.body.items[0]).toMatchObject({
      enrollmentId: result.enrollmentId,
      status: "active",
      source: { kind: "seat", ref: result.seatAssignmentId },
    });

    const events = await flow(shop, pack.orderId);
    const assigned = events.filter((e) => e.type === "marketplace.license.assigned.v1");
    expect(assigned.map((e) => e.payload)).toEqual([
      { licenseId: pack.licenseId, assigneeUserId: "usr_learner_1", seatAssignmentId: result.seatAssignmentId, orderId: pack.orderId },
    ]);
    const created = events.filter((e) => e.type === "enrollment.created.v1");
    expect(created.map((e) => e.payload.enrollmentId)).toEqual([result.enrollmentId]);
    for (const event of events) expect(shop.t.app.kernel.registry.validate(event.type, event.payload), event.type).toEqual([]);
    // The seat's enrollment is not a purchase step: the order's saga history is unchanged by it.
    expect((await order(shop, pack.orderId)).saga.steps.map((s: any) => s.input)).not.toContain("EnrollmentCreated");
  });

  it("answers already_assigned for a learner who holds a seat, without taking another", async () => {
    const pack = await seatPack(shop, 2);
    const first = await assign(shop, pack.licenseId, ["usr_twice"]);
    const again = await assign(shop, pack.licenseId, ["usr_twice"]);
    expect(again.status).toBe(200);
    expect(again.body.results).toEqual([
      {
        userId: "usr_twice",
        status: "already_assigned",
        seatAssignmentId: first.body.results[0].seatAssignmentId,
        enrollmentId: first.body.results[0].enrollmentId,
      },
    ]);
    expect(again.body.seatsAssigned).toBe(1);
    expect(await enrollmentsOf("usr_twice", pack.offer.courseId)).toHaveLength(1);
  });

  it("seats as many learners as there are seats, reports no_seat for the rest, then refuses with SEATS.EXHAUSTED", async () => {
    const pack = await seatPack(shop, 3);
    const ids = users("part", 5);
    const response = await assign(shop, pack.licenseId, ids);
    expect(response.status).toBe(201);
    expect(response.body.results.map((r: any) => r.status)).toEqual(["assigned", "assigned", "assigned", "no_seat", "no_seat"]);
    expect(response.body).toMatchObject({ seatsAssigned: 3, seatTotal: 3 });

    const refused = await assign(shop, pack.licenseId, ["usr_late"]);
    expect(refused.status).toBe(409);
    expect(refused.headers["content-type"]).toContain("application/problem+json");
    expect(refused.body.code).toBe("SEATS.EXHAUSTED");
    const many = await assign(shop, pack.licenseId, ["usr_late", "usr_later"]);
    expect([many.status, many.body.code]).toEqual([409, "SEATS.EXHAUSTED"]);
    // Already seated learners still get their answer from a full pack.
    const seated = await assign(shop, pack.licenseId, [ids[0]!]);
    expect([seated.status, seated.body.results[0].status]).toEqual([200, "already_assigned"]);
    expect(await sys(shop, `SELECT count(*)::int AS n FROM marketplace.seat_assignments WHERE license_id = $1`, [pack.licenseId])).toEqual([
      { n: 3 },
    ]);
  });

  it("replays the first answer for a repeated Idempotency-Key", async () => {
    const pack = await seatPack(shop, 5);
    const first = await assign(shop, pack.licenseId, ["usr_idem"], { key: "seat-key-1" });
    const replay = await assign(shop, pack.licenseId, ["usr_idem"], { key: "seat-key-1" });
    expect([first.status, replay.status]).toEqual([201, 201]);
    expect(replay.body).toEqual(first.body);
    const other = await assign(shop, pack.licenseId, ["usr_idem", "usr_idem2"], { key: "seat-key-1" });
    expect(other.status).toBe(422);
  });

  it("refuses bad lists and writes nothing", async () => {
    const pack = await seatPack(shop, 5);
    for (const body of [
      { userIds: [] },
      { userIds: ["a", "a"] },
      { userIds: users("big", 10_001) },
      { userIds: [""] },
      { userIds: ["a"], extra: 1 },
      {},
    ]) {
      const response = await shop.http("POST", `/api/v1/licenses/${pack.licenseId}/seats`, { token: shop.orgAdmin, body });
      expect(response.status, JSON.stringify(body).slice(0, 60)).toBe(400);
    }
    expect(await license(shop, pack.licenseId)).toMatchObject({ seatsAssigned: 0 });
  });

  it("refuses seats on licenses that are not seat packs", async () => {
    const offer = await liveOffer(shop, { kind: "one_time", amount: 900, currency: "USD" });
    const placed = await buy(shop, offer, { token: shop.orgAdmin });
    await shop.t.settle();
    const view = await order(shop, placed.body.orderId);
    const response = await assign(shop, view.licenseIds[0], ["usr_x"]);
    expect([response.status, response.body.code]).toEqual([409, "LICENSE.NOT_SEAT_PACK"]);
  });
});

describe("who may assign", () => {
  it("only an org admin of the buying tenant: other tenants see nothing, other roles are forbidden", async () => {
    const pack = await seatPack(shop, 3);
    const seated = await assign(shop, pack.licenseId, ["usr_guarded"]);
    const ssa = seated.body.results[0].seatAssignmentId;
    expect((await assign(shop, pack.licenseId, ["usr_intruder"], { token: otherAdmin })).status).toBe(404);
    expect((await shop.http("GET", `/api/v1/licenses/${pack.licenseId}/seats`, { token: otherAdmin })).status).toBe(404);
    expect((await release(shop, pack.licenseId, ssa, otherAdmin)).status).toBe(404);
    expect((await shop.http("GET", `/api/v1/licenses/${pack.licenseId}`, { token: otherAdmin })).status).toBe(404);
    expect((await assign(shop, pack.licenseId, ["usr_intruder"], { token: learner })).status).toBe(403);
    expect((await assign(shop, pack.licenseId, ["usr_intruder"], { token: shop.provider })).status).toBe(403);
    expect((await release(shop, pack.licenseId, ssa, learner)).status).toBe(403);
    expect((await shop.http("POST", `/api/v1/licenses/${pack.licenseId}/seats`, { body: { userIds: ["u"] } })).status).toBe(401);
    expect(await license(shop, pack.licenseId)).toMatchObject({ seatsAssigned: 1 });
  });
});

describe("releasing seats", () => {
  it("frees the seat, revokes the learner's enrollment, publishes released, and lets the seat be given again", async () => {
    const pack = await seatPack(shop, 1);
    const first = (await assign(shop, pack.licenseId, ["usr_rel"])).body.results[0];
    expect([(await assign(shop, pack.licenseId, ["usr_rel_next"])).status]).toEqual([409]);

    const released = await release(shop, pack.licenseId, first.seatAssignmentId);
    expect(released.status, JSON.stringify(released.body)).toBe(200);
    expect(released.body).toMatchObject({
      seatAssignmentId: first.seatAssignmentId,
      userId: "usr_rel",
      status: "released",
      seatsAssigned: 0,
      seatTotal: 1,
    });
    const [revoked] = await enrollmentsOf("usr_rel", pack.offer.courseId);
    expect(revoked).toMatchObject({ enrollmentId: first.enrollmentId, status: "revoked" });

    const twice = await release(shop, pack.licenseId, first.seatAssignmentId);
    expect([twice.status, twice.body.code]).toEqual([409, "SEAT.ALREADY_RELEASED"]);
    expect((await release(shop, pack.licenseId, "ssa_unknown")).body.code).toBe("SEAT.NOT_FOUND");

    const next = await assign(shop, pack.licenseId, ["usr_rel_next"]);
    expect([next.status, next.body.results[0].status, next.body.seatsAssigned]).toEqual([201, "assigned", 1]);
    await release(shop, pack.licenseId, next.body.results[0].seatAssignmentId);
    const back = await assign(shop, pack.licenseId, ["usr_rel"]);
    expect(back.body.results[0]).toMatchObject({ status: "assigned" });
    expect(back.body.results[0].seatAssignmentId).not.toBe(first.seatAssignmentId);
    const again = await enrollmentsOf("usr_rel", pack.offer.courseId);
    expect(again.map((e) => e.status).sort()).toEqual(["active", "revoked"]);

    const events = await flow(shop, pack.orderId);
    const seatEvents = events.filter(
      (e) => e.type.startsWith("marketplace.license.") && !e.type.startsWith("marketplace.license.granted."),
    );
    expect(seatEvents.map((e) => `${e.type}:${e.payload.assigneeUserId}`)).toEqual([
      "marketplace.license.assigned.v1:usr_rel",
      "marketplace.license.released.v1:usr_rel",
      "marketplace.license.assigned.v1:usr_rel_next",
      "marketplace.license.released.v1:usr_rel_next",
      "marketplace.license.assigned.v1:usr_rel",
    ]);
    expect(events.filter((e) => e.type === "enrollment.revoked.v1").map((e) => e.payload.enrollmentId)).toContain(first.enrollmentId);
    for (const event of events) expect(shop.t.app.kernel.registry.validate(event.type, event.payload), event.type).toEqual([]);
  });
});

describe("listing seats", () => {
  it("pages through the active seats with a cursor", async () => {
    const pack = await seatPack(shop, 7);
    const seated = await assign(shop, pack.licenseId, users("list", 7));
    await release(shop, pack.licenseId, seated.body.results[3].seatAssignmentId);
    const seen: any[] = [];
    let cursor: string | null = null;
    do {
      const page: any = await shop.http("GET", `/api/v1/licenses/${pack.licenseId}/seats?limit=2${cursor ? `&cursor=${cursor}` : ""}`, {
        token: shop.orgAdmin,
      });
      expect(page.status).toBe(200);
      expect(page.body.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.body.items);
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(seen).toHaveLength(6);
    expect(new Set(seen.map((s) => s.userId))).toEqual(new Set(users("list", 7).filter((u) => u !== "usr_list_3")));
    expect(seen.every((s) => s.status === "active" && s.enrollmentId?.startsWith("enr_"))).toBe(true);
  });
});
