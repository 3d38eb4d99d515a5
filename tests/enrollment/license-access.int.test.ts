import { afterEach, describe, expect, it } from "vitest";
import { expireDue } from "../../src/contexts/enrollment/expiry/expire-due.js";
import type { EnrollmentPorts } from "../../src/contexts/enrollment/module.js";
import { call, startTestApp, type TestApp } from "../support/test-app.js";
import { api, ctx, deps, enrollmentRow, ingest, input, published, sys } from "./support.js";

/** What a subscription does to its license's enrollments: hold, release, extend, end (issue 20). */
let t: TestApp | undefined;
afterEach(async () => {
  await t?.stop();
  t = undefined;
});

const DAY = 86_400_000;
const ask = async (test: TestApp, userId = "usr_1", courseId = "crs_1") =>
  (
    await call(test.app, "GET", `/api/v1/entitlements?userId=${userId}&courseId=${courseId}`, {
      token: await test.token({ sub: userId, tid: "ten_1", roles: ["learner"] }),
    })
  ).body;
/** Catalog's fact, as the real wiring would answer it: only crs_audit offers audit. */
const auditOnlyFor = {
  enrollment: (ports: EnrollmentPorts) => ({ ...ports, auditAvailable: (courseId: string) => courseId === "crs_audit" }),
};
const deadline = async (test: TestApp, enrollmentId: string) =>
  (await sys(test, `SELECT due_at FROM enrollment.expiry_due WHERE enrollment_id = $1`, [enrollmentId]))[0]?.due_at ?? null;
const complete = (test: TestApp, userId: string, courseId: string) =>
  ingest(test, "progress.completion.recorded.v1", {
    userId,
    courseId,
    completionRecordId: `cr_${userId}`,
    completedAt: test.clock.now().toISOString(),
  });

describe("holding a license's enrollments", () => {
  it("answers not entitled with the reason while held, keeps the enrollment as it was, and gives access back on release", async () => {
    t = await startTestApp();
    const a = api(t);
    const { enrollmentId } = await a.enroll(undefined, input({ offlineUntil: "perpetual" }), ctx);
    expect(await ask(t)).toMatchObject({ entitled: true, enrollmentId, mode: "verified", offline: true }); // now cached

    const held = await a.holdByLicense(undefined, { licenseId: "lcn_1", reason: "subscription_suspended" }, ctx);
    expect(held).toEqual({ changed: [enrollmentId], untouched: [] });
    // The cached yes was dropped at commit.
    expect(await ask(t)).toEqual({ entitled: false, offline: false, reason: "subscription_suspended" });
    expect(await enrollmentRow(t, enrollmentId)).toMatchObject({
      status: "active",
      mode: "verified",
      hold_reason: "subscription_suspended",
    });
    expect(await a.holdByLicense(undefined, { licenseId: "lcn_1", reason: "subscription_suspended" }, ctx)).toEqual({
      changed: [],
      untouched: [enrollmentId],
    });

    expect(await a.releaseHoldByLicense(undefined, { licenseId: "lcn_1" }, ctx)).toEqual({ changed: [enrollmentId], untouched: [] });
    expect(await ask(t)).toMatchObject({ entitled: true, enrollmentId, mode: "verified", offline: true });
    expect((await ask(t)).reason).toBeUndefined();
    expect(await a.releaseHoldByLicense(undefined, { licenseId: "lcn_1" }, ctx)).toEqual({ changed: [], untouched: [enrollmentId] });
    // Holds publish nothing of their own: the subscription announces its suspension.
    expect((await published(t, "enrollment.revoked.v1")).length).toBe(0);
    expect((await published(t, "enrollment.mode_changed.v1")).length).toBe(0);
  });

  it("holds an enrollment created later for the held license, and lets another license of the same course answer", async () => {
    t = await startTestApp();
    const a = api(t);
    await a.enroll(undefined, input({ userId: "usr_1" }), ctx);
    await a.holdByLicense(undefined, { licenseId: "lcn_1", reason: "subscription_suspended" }, ctx);
    const later = await a.enroll(undefined, input({ userId: "usr_2", source: { kind: "seat", ref: "seat_2" } }), ctx);
    expect(await enrollmentRow(t, later.enrollmentId)).toMatchObject({ status: "active", hold_reason: "subscription_suspended" });
    expect(await ask(t, "usr_2")).toEqual({ entitled: false, offline: false, reason: "subscription_suspended" });

    // usr_1 also bought the course outright: that enrollment is not held and answers.
    const bought = await a.enroll(
      undefined,
      input({ userId: "usr_1", licenseId: "lcn_9", source: { kind: "license", ref: "lcn_9" } }),
      ctx,
    );
    expect(await ask(t, "usr_1")).toMatchObject({ entitled: true, enrollmentId: bought.enrollmentId, licenseId: "lcn_9" });

    await a.releaseHoldByLicense(undefined, { licenseId: "lcn_1" }, ctx);
    expect(await ask(t, "usr_2")).toMatchObject({ entitled: true, enrollmentId: later.enrollmentId });
  });
});

describe("extending a license's enrollments", () => {
  it("moves the end date and the expiry deadline of active and completed enrollments, never earlier, and leaves perpetual ones", async () => {
    t = await startTestApp({ workers: false });
    const a = api(t);
    const periodEnd = new Date(t.clock.now().getTime() + 30 * DAY);
    const renewed = new Date(t.clock.now().getTime() + 60 * DAY);
    const active = await a.enroll(undefined, input({ userId: "usr_1", expiresAt: periodEnd }), ctx);
    const done = await a.enroll(undefined, input({ userId: "usr_2", expiresAt: periodEnd }), ctx);
    const perpetual = await a.enroll(undefined, input({ userId: "usr_3" }), ctx);
    await sys(t, `UPDATE enrollment.enrollments SET status = 'completed', completed_at = now() WHERE id = $1`, [done.enrollmentId]);

    const result = await a.extendByLicense(undefined, { licenseId: "lcn_1", expiresAt: renewed }, ctx);
    expect(result).toEqual({ changed: [active.enrollmentId, done.enrollmentId], untouched: [perpetual.enrollmentId] });
    expect(new Date((await enrollmentRow(t, active.enrollmentId))!.expires_at)).toEqual(renewed);
    expect(new Date((await enrollmentRow(t, done.enrollmentId))!.expires_at)).toEqual(renewed);
    expect((await enrollmentRow(t, perpetual.enrollmentId))!.expires_at).toBeNull();
    expect(new Date(await deadline(t, active.enrollmentId))).toEqual(renewed);
    // An older renewal delivered late shortens nothing.
    expect((await a.extendByLicense(undefined, { licenseId: "lcn_1", expiresAt: periodEnd }, ctx)).changed).toEqual([]);

    // Past the old end: both still entitled, and the expiry timer has nothing due.
    t.clock.advance(45 * DAY);
    expect(await ask(t, "usr_1")).toMatchObject({ entitled: true, expiresAt: renewed.toISOString() });
    expect(await ask(t, "usr_2")).toMatchObject({ entitled: true, expiresAt: renewed.toISOString() });
    expect(await expireDue(deps(t))).toBe(0);
    t.clock.advance(16 * DAY);
    expect(await expireDue(deps(t))).toBe(2); // the completed one's deadline fires too, and leaves it completed
    expect(await enrollmentRow(t, active.enrollmentId)).toMatchObject({ status: "expired" });
    expect(await enrollmentRow(t, done.enrollmentId)).toMatchObject({ status: "completed" });
  });
});

describe("ending a license's enrollments", () => {
  it("downgrades active ones to audit where offered, expires the rest now, leaves completed ones, and clears their deadlines", async () => {
    t = await startTestApp({ wiring: auditOnlyFor });
    const a = api(t);
    const periodEnd = new Date(t.clock.now().getTime() + 30 * DAY);
    const auditable = await a.enroll(undefined, input({ userId: "usr_1", courseId: "crs_audit", expiresAt: periodEnd }), ctx);
    const strict = await a.enroll(undefined, input({ userId: "usr_2", courseId: "crs_strict", expiresAt: periodEnd }), ctx);
    const done = await a.enroll(undefined, input({ userId: "usr_3", courseId: "crs_strict", expiresAt: periodEnd }), ctx);
    await complete(t, "usr_3", "crs_strict");
    await t.settle();
    // A suspended subscription that ends: the suspension ends with it.
    await a.holdByLicense(undefined, { licenseId: "lcn_1", reason: "subscription_suspended" }, ctx);

    const endedAt = t.clock.now();
    const result = await a.endByLicense(undefined, { licenseId: "lcn_1", at: endedAt }, ctx);
    expect(result).toEqual({ downgraded: [auditable.enrollmentId], expired: [strict.enrollmentId], untouched: [done.enrollmentId] });

    expect(await enrollmentRow(t, auditable.enrollmentId)).toMatchObject({
      status: "active",
      mode: "audit",
      expires_at: null,
      hold_reason: null,
    });
    expect(await enrollmentRow(t, strict.enrollmentId)).toMatchObject({ status: "expired", hold_reason: null });
    expect(await enrollmentRow(t, done.enrollmentId)).toMatchObject({ status: "completed", mode: "verified", hold_reason: null });
    expect(await deadline(t, auditable.enrollmentId)).toBeNull();
    expect(await deadline(t, strict.enrollmentId)).toBeNull();

    expect(await ask(t, "usr_1", "crs_audit")).toMatchObject({ entitled: true, enrollmentId: auditable.enrollmentId, mode: "audit" });
    expect(await ask(t, "usr_2", "crs_strict")).toEqual({ entitled: false, offline: false });
    expect(await ask(t, "usr_3", "crs_strict")).toMatchObject({ entitled: true, enrollmentId: done.enrollmentId });

    expect((await published(t, "enrollment.expired.v1")).map((e) => e.payload)).toEqual([
      { enrollmentId: strict.enrollmentId, tenantId: "ten_1", userId: "usr_2", expiredAt: endedAt.toISOString() },
    ]);
    expect((await published(t, "enrollment.mode_changed.v1")).map((e) => e.payload)).toEqual([
      {
        enrollmentId: auditable.enrollmentId,
        tenantId: "ten_1",
        userId: "usr_1",
        from: "verified",
        to: "audit",
        reason: "subscription_ended",
      },
    ]);

    // Ending again changes nothing and publishes nothing more.
    expect(await a.endByLicense(undefined, { licenseId: "lcn_1", at: endedAt }, ctx)).toEqual({
      downgraded: [],
      expired: [],
      untouched: [auditable.enrollmentId, strict.enrollmentId, done.enrollmentId],
    });
    expect((await published(t, "enrollment.expired.v1")).length).toBe(1);
    expect((await published(t, "enrollment.mode_changed.v1")).length).toBe(1);
  });
});
