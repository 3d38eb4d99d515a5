import { afterEach, describe, expect, it } from "vitest";
import { startTestApp, type TestApp } from "../support/test-app.js";
import { api, ctx, enrollmentRow, ingest, input, published } from "./support.js";

let t: TestApp | undefined;
afterEach(async () => {
  await t?.stop();
  t = undefined;
});

describe("revoking a license's enrollments", () => {
  it("downgrades to audit where the course offers it, revokes elsewhere, and leaves completed enrollments alone", async () => {
    t = await startTestApp();
    const a = api(t);
    const auditable = await a.enroll(undefined, input({ userId: "usr_1", courseId: "crs_audit" }), ctx);
    const strict = await a.enroll(undefined, input({ userId: "usr_2", courseId: "crs_strict" }), ctx);
    const done = await a.enroll(undefined, input({ userId: "usr_3", courseId: "crs_strict" }), ctx);
    await ingest(t, "progress.completion.recorded.v1", {
      userId: "usr_3",
      courseId: "crs_strict",
      completionRecordId: "cr_3",
      completedAt: "2026-03-01T09:10:00.000Z",
    });
    await t.settle();

    const result = await a.revokeByLicense(
      undefined,
      {
        licenseId: "lcn_1",
        orderId: "ord_1",
        reason: "license_revoked",
        auditWhereAvailable: true,
        auditAvailable: (courseId) => courseId === "crs_audit",
      },
      ctx,
    );
    expect(result).toEqual({
      revoked: [strict.enrollmentId],
      downgraded: [auditable.enrollmentId],
      untouched: [done.enrollmentId],
      revokedCount: 1,
    });
    expect(await enrollmentRow(t, auditable.enrollmentId)).toMatchObject({ status: "active", mode: "audit" });
    expect(await enrollmentRow(t, strict.enrollmentId)).toMatchObject({ status: "revoked", revoke_reason: "license_revoked" });
    expect(await enrollmentRow(t, done.enrollmentId)).toMatchObject({ status: "completed", mode: "verified" });

    expect((await published(t, "enrollment.mode_changed.v1")).map((e) => e.payload)).toEqual([
      {
        enrollmentId: auditable.enrollmentId,
        tenantId: "ten_1",
        userId: "usr_1",
        from: "verified",
        to: "audit",
        reason: "license_revoked",
      },
    ]);
    const revoked = await published(t, "enrollment.revoked.v1");
    expect(revoked.map((e) => e.payload)).toEqual([
      {
        enrollmentId: strict.enrollmentId,
        tenantId: "ten_1",
        userId: "usr_2",
        reason: "license_revoked",
        revokedAt: t.clock.now().toISOString(),
      },
      { orderId: "ord_1", revokedCount: 1 },
    ]);
    expect(revoked.map((e) => e.partitionKey)).toEqual(["usr_2", "ord_1"]);

    // A second refund message changes nothing and reports nothing revoked.
    const again = await a.revokeByLicense(
      undefined,
      {
        licenseId: "lcn_1",
        orderId: "ord_1",
        reason: "license_revoked",
        auditWhereAvailable: true,
        auditAvailable: (courseId) => courseId === "crs_audit",
      },
      ctx,
    );
    expect(again.revokedCount).toBe(0);
    expect(await published(t, "enrollment.mode_changed.v1")).toHaveLength(1);
  });

  it("revokes everything without the audit option, with no aggregate outside a refund", async () => {
    t = await startTestApp();
    await api(t).enroll(undefined, input(), ctx);
    const result = await api(t).revokeByLicense(
      undefined,
      { licenseId: "lcn_1", reason: "compliance", auditWhereAvailable: false, auditAvailable: () => true },
      ctx,
    );
    expect(result.revokedCount).toBe(1);
    expect((await published(t, "enrollment.revoked.v1")).map((e) => e.payload.reason)).toEqual(["compliance"]);
  });

  it("releases one seat's enrollment, and says so when it is already gone", async () => {
    t = await startTestApp();
    const { enrollmentId } = await api(t).enroll(undefined, input({ source: { kind: "seat", ref: "ssa_1" } }), ctx);
    expect(await api(t).revokeOne(undefined, { enrollmentId, reason: "admin" }, ctx)).toEqual({
      ok: true,
      value: { enrollmentId, status: "revoked" },
    });
    const twice = await api(t).revokeOne(undefined, { enrollmentId, reason: "admin" }, ctx);
    expect(twice.ok ? "ok" : twice.rejection.code).toBe("ENROLLMENT.ALREADY_REVOKED");
    const missing = await api(t).revokeOne(undefined, { enrollmentId: "enr_nope", reason: "admin" }, ctx);
    expect(missing.ok ? "ok" : missing.rejection.code).toBe("ENROLLMENT.NOT_FOUND");
    expect(await published(t, "enrollment.revoked.v1")).toHaveLength(1);
  });
});
