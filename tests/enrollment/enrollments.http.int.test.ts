import { afterEach, describe, expect, it } from "vitest";
import { call, startTestApp, type TestApp } from "../support/test-app.js";
import { api, ctx, input, published } from "./support.js";

let t: TestApp | undefined;
afterEach(async () => {
  await t?.stop();
  t = undefined;
});

const learner = (test: TestApp, sub = "usr_1", tid = "ten_1") => test.token({ sub, tid, roles: ["learner"] });

describe("a learner's enrollments over HTTP", () => {
  it("lists a learner's enrollments page by page", async () => {
    t = await startTestApp();
    for (const courseId of ["crs_1", "crs_2", "crs_3"]) await api(t).enroll(undefined, input({ courseId }), ctx);
    await api(t).enroll(undefined, input({ userId: "usr_2" }), ctx);
    const token = await learner(t);
    const first = await call(t.app, "GET", "/api/v1/enrollments?userId=usr_1&limit=2", { token });
    expect(first.status).toBe(200);
    expect(first.body.items.map((e: any) => e.courseId)).toEqual(["crs_1", "crs_2"]);
    expect(first.body.items[0]).toMatchObject({
      userId: "usr_1",
      status: "active",
      mode: "verified",
      source: { kind: "license", ref: "lcn_1" },
      unenrolled: false,
      attemptCount: 0,
    });
    const second = await call(t.app, "GET", `/api/v1/enrollments?userId=usr_1&limit=2&cursor=${first.body.nextCursor}`, { token });
    expect(second.body).toMatchObject({ items: [{ courseId: "crs_3" }], nextCursor: null });
    const mine = await call(t.app, "GET", "/api/v1/enrollments?courseId=crs_1", { token });
    expect(mine.body.items).toHaveLength(1);
  });

  it("refuses another learner's enrollments with 403", async () => {
    t = await startTestApp();
    const { enrollmentId } = await api(t).enroll(undefined, input(), ctx);
    const intruder = await learner(t, "usr_2");
    expect(await call(t.app, "GET", "/api/v1/enrollments?userId=usr_1", { token: intruder })).toMatchObject({
      status: 403,
      body: { code: "AUTH.FORBIDDEN" },
    });
    expect(await call(t.app, "GET", `/api/v1/enrollments/${enrollmentId}`, { token: intruder })).toMatchObject({
      status: 403,
      body: { code: "AUTH.FORBIDDEN" },
    });
    expect(await call(t.app, "POST", `/api/v1/enrollments/${enrollmentId}/unenroll`, { token: intruder })).toMatchObject({ status: 403 });
    // Another tenant does not even see it.
    expect((await call(t.app, "GET", `/api/v1/enrollments/${enrollmentId}`, { token: await learner(t, "usr_1", "ten_2") })).status).toBe(
      404,
    );
    expect((await call(t.app, "GET", `/api/v1/enrollments/${enrollmentId}`, { token: await learner(t) })).status).toBe(200);
    expect(
      (
        await call(t.app, "GET", `/api/v1/enrollments/${enrollmentId}`, {
          token: await t.token({ sub: "usr_a", tid: "ten_1", roles: ["org_admin"] }),
        })
      ).status,
    ).toBe(200);
  });

  it("lets the learner unenroll once, remembering that they left", async () => {
    t = await startTestApp();
    const { enrollmentId } = await api(t).enroll(undefined, input(), ctx);
    const token = await learner(t);
    const left = await call(t.app, "POST", `/api/v1/enrollments/${enrollmentId}/unenroll`, {
      token,
      headers: { "idempotency-key": "leave-1" },
    });
    expect(left).toMatchObject({
      status: 200,
      body: { enrollmentId, status: "revoked", unenrolled: true, unenrolledAt: t.clock.now().toISOString() },
    });
    const replay = await call(t.app, "POST", `/api/v1/enrollments/${enrollmentId}/unenroll`, {
      token,
      headers: { "idempotency-key": "leave-1" },
    });
    expect(replay).toMatchObject({ status: 200, body: { unenrolled: true } });
    const again = await call(t.app, "POST", `/api/v1/enrollments/${enrollmentId}/unenroll`, { token });
    expect(again).toMatchObject({ status: 409, body: { code: "ENROLLMENT.ALREADY_REVOKED" } });
    expect((await published(t, "enrollment.revoked.v1")).map((e) => e.payload.reason)).toEqual(["admin"]);
    expect((await call(t.app, "GET", `/api/v1/entitlements?userId=usr_1&courseId=crs_1`, { token })).body).toMatchObject({
      entitled: false,
    });
    expect((await call(t.app, "POST", `/api/v1/enrollments/enr_missing/unenroll`, { token })).status).toBe(404);
  });
});
