import { afterEach, describe, expect, it } from "vitest";
import { expireDue } from "../../src/contexts/enrollment/expiry/expire-due.js";
import { call, startTestApp, type TestApp } from "../support/test-app.js";
import { api, ctx, deps, ingest, input } from "./support.js";

let t: TestApp | undefined;
afterEach(async () => {
  await t?.stop();
  t = undefined;
});

const learner = (test: TestApp, sub = "usr_1", tid = "ten_1") => test.token({ sub, tid, roles: ["learner"] });
const ask = async (test: TestApp, token: string, userId = "usr_1", courseId = "crs_1") =>
  call(test.app, "GET", `/api/v1/entitlements?userId=${userId}&courseId=${courseId}`, { token });

describe("entitlements", () => {
  it("answers entitled for an enrolled learner and not for anyone else, then changes its mind on revocation without waiting for the cache", async () => {
    t = await startTestApp();
    const token = await learner(t);
    expect((await ask(t, token)).body).toEqual({ entitled: false, offline: false });

    const ends = new Date(t.clock.now().getTime() + 86_400_000);
    const { enrollmentId } = await api(t).enroll(undefined, input({ expiresAt: ends, offlineUntil: "perpetual" }), ctx);
    // The negative answer above was cached; the enrollment dropped it.
    const yes = await ask(t, token);
    expect(yes).toMatchObject({
      status: 200,
      body: { entitled: true, enrollmentId, licenseId: "lcn_1", mode: "verified", offline: true, expiresAt: ends.toISOString() },
    });
    expect((await ask(t, token)).body).toEqual(yes.body); // served from the cache

    await api(t).revokeByLicense(undefined, { licenseId: "lcn_1", reason: "license_revoked", auditWhereAvailable: false }, ctx);
    expect((await ask(t, token)).body).toEqual({ entitled: false, offline: false });
  });

  it("answers audit after a downgrade, and ends access exactly at the end date", async () => {
    t = await startTestApp({ workers: false });
    const token = await t.token({ sub: "svc_delivery", tid: "ten_x", roles: ["service"] });
    const ends = new Date(t.clock.now().getTime() + 1_000);
    await api(t).enroll(undefined, input({ expiresAt: ends }), ctx);
    await api(t).revokeByLicense(
      undefined,
      { licenseId: "lcn_1", reason: "license_revoked", auditWhereAvailable: true, auditAvailable: () => true },
      ctx,
    );
    expect((await ask(t, token)).body).toMatchObject({ entitled: true, mode: "audit" });

    t.clock.set(ends); // the expiry timer has not run yet: the answer is already "no"
    expect((await ask(t, token)).body).toEqual({ entitled: false, offline: false });
    expect(await expireDue(deps(t))).toBe(1);
    expect((await ask(t, token)).body).toEqual({ entitled: false, offline: false });
  });

  it("drops the cached answer when a consumer changes the enrollment; a completed course stays open", async () => {
    t = await startTestApp();
    const token = await learner(t);
    await api(t).enroll(undefined, input(), ctx);
    expect((await ask(t, token)).body).toMatchObject({ entitled: true, mode: "verified" });
    await ingest(t, "progress.completion.recorded.v1", {
      userId: "usr_1",
      courseId: "crs_1",
      completionRecordId: "cr_1",
      completedAt: "2026-03-01T09:05:00.000Z",
    });
    await t.settle();
    expect((await ask(t, token)).body).toMatchObject({ entitled: true });
    await ingest(t, "gdpr.subject_request.received.v1", { subjectUserId: "usr_1", requestId: "gdpr_1", kind: "erasure" });
    await t.settle();
    expect((await ask(t, token)).body).toEqual({ entitled: false, offline: false });
  });

  it("lets the learner, services, platform admins and their org admin ask — and no other learner", async () => {
    t = await startTestApp();
    await api(t).enroll(undefined, input(), ctx);
    expect((await ask(t, await learner(t))).status).toBe(200);
    expect((await ask(t, await t.token({ sub: "usr_admin", tid: "ten_1", roles: ["org_admin"] }))).body).toMatchObject({ entitled: true });
    expect((await ask(t, await t.token({ sub: "usr_admin", tid: "ten_2", roles: ["org_admin"] }))).body).toMatchObject({ entitled: false });
    expect((await ask(t, await t.token({ sub: "usr_root", tid: "ten_0", roles: ["platform_admin"] }))).body).toMatchObject({
      entitled: true,
    });
    const other = await ask(t, await learner(t, "usr_2"));
    expect(other).toMatchObject({ status: 403, body: { code: "AUTH.FORBIDDEN" } });
    expect((await call(t.app, "GET", "/api/v1/entitlements?userId=usr_1&courseId=crs_1")).status).toBe(401);
  });
});
