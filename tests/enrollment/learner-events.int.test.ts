import { afterEach, describe, expect, it } from "vitest";
import { call, startTestApp, type TestApp } from "../support/test-app.js";
import { api, ctx, enrollmentRow, ingest, input, published, sys } from "./support.js";

let t: TestApp | undefined;
afterEach(async () => {
  await t?.stop();
  t = undefined;
});

const completion = (completionRecordId = "cr_1") => ({
  userId: "usr_1",
  courseId: "crs_1",
  completionRecordId,
  completedAt: "2026-03-01T10:00:00.000Z",
});
const play = (sessionId: string, extra: Record<string, unknown> = {}) => ({
  userId: "usr_1",
  courseId: "crs_1",
  sessionId,
  startedAt: "2026-03-01T09:30:00.000Z",
  ...extra,
});

describe("learner events from other services", () => {
  it("completes an enrollment once, however often the completion is redelivered", async () => {
    t = await startTestApp();
    const { enrollmentId } = await api(t).enroll(undefined, input(), ctx);
    const eventId = await ingest(t, "progress.completion.recorded.v1", completion());
    await ingest(t, "progress.completion.recorded.v1", completion(), { eventId });
    await t.settle();
    // And straight into the hub twice, as a bus redelivery would.
    const [envelope] = (
      await t.app.kernel.db.query<{ envelope: any }>(`SELECT envelope FROM platform.outbox WHERE event_id = $1`, [eventId])
    ).rows.map((r) => r.envelope);
    for (let i = 0; i < 2; i++)
      await t.app.kernel.db.tx((tx) => t!.app.kernel.hub.deliver(tx, t!.app.kernel.hub.deliveriesFor([envelope])));
    await t.settle();
    const completed = await published(t, "enrollment.completed.v1");
    expect(completed).toHaveLength(1);
    expect(completed[0]!.payload).toEqual({
      enrollmentId,
      tenantId: "ten_1",
      userId: "usr_1",
      courseId: "crs_1",
      completedAt: "2026-03-01T10:00:00.000Z",
      completionRecordId: "cr_1",
    });
    expect(completed[0]!.causationId).toBe(eventId);
    expect(await enrollmentRow(t, enrollmentId)).toMatchObject({ status: "completed", completion_record_id: "cr_1" });
  });

  it("holds a completion that arrives before the enrollment, and applies it once the enrollment exists", async () => {
    t = await startTestApp();
    const eventId = await ingest(t, "progress.completion.recorded.v1", completion());
    await t.settle();
    const waiting = await t.app.kernel.db.query<{ attempts: number }>(
      `SELECT attempts FROM platform.consumer_retries WHERE consumer = 'enrollment.completion-recorded' AND event_id = $1`,
      [eventId],
    );
    expect(waiting.rows).toEqual([{ attempts: 1 }]);
    expect(await published(t, "enrollment.completed.v1")).toHaveLength(0);

    const { enrollmentId } = await api(t).enroll(undefined, input(), ctx);
    t.clock.advance(1_000);
    // runDue here, or the background retry worker (same clock) if it got there first.
    for (let i = 0; i < 100 && (await enrollmentRow(t, enrollmentId))!.status !== "completed"; i++) {
      await t.app.kernel.retries.runDue();
      await t.settle();
    }
    expect(await enrollmentRow(t, enrollmentId)).toMatchObject({ status: "completed" });
    expect(await published(t, "enrollment.completed.v1")).toHaveLength(1);
    expect((await t.app.kernel.db.query(`SELECT 1 FROM platform.consumer_retries`)).rows).toHaveLength(0);
    expect((await t.app.kernel.db.query(`SELECT 1 FROM platform.dead_letters`)).rows).toHaveLength(0);
  });

  it("counts play sessions as attempts, once per session even when redelivered", async () => {
    t = await startTestApp();
    const { enrollmentId } = await api(t).enroll(undefined, input(), ctx);
    const first = await ingest(t, "delivery.play_session.started.v1", play("ses_1"));
    await ingest(t, "delivery.play_session.started.v1", play("ses_1"), { eventId: first });
    await ingest(t, "delivery.play_session.started.v1", play("ses_2"));
    await t.settle();
    const accessed = await published(t, "enrollment.accessed.v1");
    expect(accessed.map((e) => e.payload.attemptNumber)).toEqual([1, 2]);
    expect(accessed[0]!.payload).toEqual({
      enrollmentId,
      tenantId: "ten_1",
      userId: "usr_1",
      accessedAt: "2026-03-01T09:30:00.000Z",
      attemptNumber: 1,
    });
    expect(await enrollmentRow(t, enrollmentId)).toMatchObject({ attempt_count: 2 });
  });

  it("enrolls an assigned learner on their first play inside the window, not before", async () => {
    t = await startTestApp();
    await ingest(t, "assignment.window.opened.v1", {
      userId: "usr_1",
      courseId: "crs_1",
      assignmentId: "asg_1",
      opensAt: "2026-03-01T09:00:00.000Z",
      courseVersionId: "cv_7",
    });
    await t.settle();
    expect(await sys(t, `SELECT 1 FROM enrollment.enrollments`)).toHaveLength(0);
    expect(await published(t, "enrollment.created.v1")).toHaveLength(0);
    // Delivery asks before the first play: the learner is entitled, with no enrollment yet.
    const token = await t.token({ sub: "usr_1", tid: "ten_1", roles: ["learner"] });
    const entitlement = () => call(t!.app, "GET", "/api/v1/entitlements?userId=usr_1&courseId=crs_1", { token });
    expect((await entitlement()).body).toEqual({ entitled: true, mode: "verified", offline: false });

    await ingest(t, "delivery.play_session.started.v1", play("ses_1"));
    await ingest(t, "delivery.play_session.started.v1", play("ses_2"));
    await t.settle();
    const created = await published(t, "enrollment.created.v1");
    expect(created).toHaveLength(1);
    expect(created[0]!.payload).toMatchObject({
      userId: "usr_1",
      courseId: "crs_1",
      courseVersionId: "cv_7",
      source: { kind: "assignment", ref: "asg_1" },
    });
    expect((await published(t, "enrollment.accessed.v1")).map((e) => e.payload.attemptNumber)).toEqual([1, 2]);
    expect((await entitlement()).body).toMatchObject({ entitled: true, enrollmentId: created[0]!.payload.enrollmentId });
  });

  it("enrolls a learner a site license covers on their first play", async () => {
    // The site-licence lookup is this app's own port: another app in the process keeps the real one.
    t = await startTestApp({
      wiring: {
        enrollment: (ports) => ({
          ...ports,
          siteLicenses: {
            coveringLicense: async (_tx, tenantId, userId, courseId) =>
              tenantId === "ten_1" && courseId === "crs_1" && userId.startsWith("usr_")
                ? { licenseId: "lcn_site", tenantId: "ten_1", courseVersionId: "cv_1", orderId: "ord_9" }
                : null,
          },
        }),
      },
    });
    await ingest(t, "delivery.play_session.started.v1", play("ses_1"));
    await t.settle();
    const created = await published(t, "enrollment.created.v1");
    expect(created.map((e) => e.payload)).toMatchObject([
      { source: { kind: "site_license", ref: "lcn_site" }, licenseId: "lcn_site", orderId: "ord_9" },
    ]);
    expect(await published(t, "enrollment.accessed.v1")).toHaveLength(1);
  });

  it("retries a play session for a learner with no enrollment at all, and dead-letters it under enrollment.dlq in the end", async () => {
    t = await startTestApp();
    await ingest(t, "delivery.play_session.started.v1", play("ses_1"));
    await t.settle();
    // Walk the ladder (the background retry worker may take some steps itself, hence the loop).
    const deadLetters = () =>
      t!.app.kernel.db.query<{ queue: string; consumer: string }>(`SELECT queue, consumer FROM platform.dead_letters`);
    for (let step = 0; step < 12 && (await deadLetters()).rows.length === 0; step++) {
      t.clock.advance(3_600_000);
      await t.app.kernel.retries.runDue();
      await t.settle();
    }
    const dead = await deadLetters();
    expect(dead.rows).toEqual([{ queue: "enrollment.dlq", consumer: "enrollment.play-session-started" }]);
  });
});
