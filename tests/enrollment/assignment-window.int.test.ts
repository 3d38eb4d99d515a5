import { afterEach, describe, expect, it } from "vitest";
import { call, startTestApp, type TestApp } from "../support/test-app.js";
import { ingest, published, sys } from "./support.js";

// Issue #18 item 9b: assignment.window.opened.v1 exactly as EVENTS.md documents it (no
// courseVersionId) must lead to an enrollment on the learner's first play, not to a dead letter.
let t: TestApp | undefined;
afterEach(async () => {
  await t?.stop();
  t = undefined;
});

async function catalogCourse(app: TestApp, courseId: string, versions: Array<{ id: string; published: boolean }>) {
  const admin = await app.token({ sub: "usr_admin", tid: "ten_platform", roles: ["platform_admin"] });
  expect(
    (await call(app.app, "POST", "/api/v1/catalog/courses", { token: admin, body: { courseId, providerId: "prv_1", title: courseId } }))
      .status,
  ).toBe(201);
  for (const v of versions) {
    expect(
      (
        await call(app.app, "POST", `/api/v1/catalog/courses/${courseId}/versions`, {
          token: admin,
          body: { courseVersionId: v.id, label: v.id },
        })
      ).status,
    ).toBe(201);
    if (v.published) await ingest(app, "catalog.course_version.published.v1", { courseId, courseVersionId: v.id }, { tenantId: null });
    app.clock.advance(1_000);
  }
  await app.settle();
}

describe("an assignment window without a course version", () => {
  it("enrolls the learner in the course's newest published version on the first play", async () => {
    t = await startTestApp();
    await catalogCourse(t, "crs_aw", [
      { id: "cv_aw1", published: true },
      { id: "cv_aw2", published: true },
      { id: "cv_aw3", published: false },
    ]);
    // EVENTS.md: userId, courseId, assignmentId, opensAt, closesAt? — nothing else.
    await ingest(t, "assignment.window.opened.v1", {
      userId: "usr_1",
      courseId: "crs_aw",
      assignmentId: "asg_1",
      opensAt: "2026-03-01T09:00:00.000Z",
      closesAt: "2026-04-01T09:00:00.000Z",
    });
    await t.settle();
    const token = await t.token({ sub: "usr_1", tid: "ten_1", roles: ["learner"] });
    expect((await call(t.app, "GET", "/api/v1/entitlements?userId=usr_1&courseId=crs_aw", { token })).body).toMatchObject({
      entitled: true,
    });

    await ingest(t, "delivery.play_session.started.v1", {
      userId: "usr_1",
      courseId: "crs_aw",
      sessionId: "ses_1",
      startedAt: "2026-03-01T09:30:00.000Z",
    });
    await t.settle();
    const created = await published(t, "enrollment.created.v1");
    expect(created.map((e) => e.payload)).toMatchObject([
      { userId: "usr_1", courseId: "crs_aw", courseVersionId: "cv_aw2", source: { kind: "assignment", ref: "asg_1" } },
    ]);
    expect((await published(t, "enrollment.accessed.v1")).map((e) => e.payload.attemptNumber)).toEqual([1]);
    expect(await sys(t, `SELECT consumer FROM platform.consumer_retries`)).toEqual([]);
    expect(await sys(t, `SELECT consumer FROM platform.dead_letters`)).toEqual([]);
  });

  it("prefers the advertised run's version when the course has one", async () => {
    t = await startTestApp();
    await catalogCourse(t, "crs_run", [
      { id: "cv_r1", published: true },
      { id: "cv_r2", published: true },
    ]);
    const admin = await t.token({ sub: "usr_admin", tid: "ten_platform", roles: ["platform_admin"] });
    const run = await call(t.app, "POST", "/api/v1/catalog/courses/crs_run/runs", {
      token: admin,
      body: { runKey: "run_r1", courseVersionId: "cv_r1", startsAt: "2026-01-01T00:00:00.000Z", enrollable: true, advertised: true },
    });
    expect(run.status, JSON.stringify(run.body)).toBe(201);
    await ingest(t, "assignment.window.opened.v1", {
      userId: "usr_1",
      courseId: "crs_run",
      assignmentId: "asg_2",
      opensAt: "2026-03-01T09:00:00.000Z",
    });
    await ingest(t, "delivery.play_session.started.v1", {
      userId: "usr_1",
      courseId: "crs_run",
      sessionId: "ses_2",
      startedAt: "2026-03-01T09:30:00.000Z",
    });
    await t.settle();
    expect((await published(t, "enrollment.created.v1")).map((e) => e.payload.courseVersionId)).toEqual(["cv_r1"]);
  });
});
