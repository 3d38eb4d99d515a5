import { describe, expect, it } from "vitest";
import { apply, decide, type Enrollment } from "./enrollment.domain.js";

const t0 = new Date("2026-03-01T09:00:00Z");
const later = (ms: number) => new Date(t0.getTime() + ms);

function enrollment(overrides: Partial<Enrollment> = {}): Enrollment {
  return {
    id: "enr_1",
    tenantId: "ten_1",
    userId: "usr_1",
    courseId: "crs_1",
    courseVersionId: "cv_1",
    runKey: null,
    source: { kind: "license", ref: "lcn_1" },
    licenseId: "lcn_1",
    orderId: "ord_1",
    status: "active",
    mode: "verified",
    enrolledAt: t0,
    expiresAt: null,
    offline: false,
    offlineUntil: null,
    attemptCount: 0,
    completedAt: null,
    completionRecordId: null,
    expiredAt: null,
    revokedAt: null,
    revokeReason: null,
    unenrolledAt: null,
    erasedAt: null,
    ...overrides,
  };
}

const codeOf = (d: ReturnType<typeof decide>) => (d.ok ? "ok" : d.rejection.code);
const typesOf = (d: ReturnType<typeof decide>) => (d.ok ? d.value.map((e) => e.type) : []);

describe("enrollment lifecycle", () => {
  it("creates a new enrollment, and creating a known one again is no news", () => {
    expect(typesOf(decide(null, { type: "Create", enrollment: enrollment() }))).toEqual(["EnrollmentCreated"]);
    expect(decide(enrollment(), { type: "Create", enrollment: enrollment({ id: "enr_2" }) })).toEqual({ ok: true, value: [] });
  });

  it("refuses an enrollment that would end before it starts", () => {
    expect(codeOf(decide(null, { type: "Create", enrollment: enrollment({ expiresAt: t0 }) }))).toBe("ENROLLMENT.EXPIRES_BEFORE_START");
  });

  it("counts attempts on every access, also after completion, never after revocation", () => {
    const accessed = apply(enrollment({ attemptCount: 2 }), { type: "Access", at: later(1) });
    expect(accessed.ok && accessed.value.state?.attemptCount).toBe(3);
    expect(typesOf(decide(enrollment({ status: "completed" }), { type: "Access", at: later(1) }))).toEqual(["EnrollmentAccessed"]);
    expect(codeOf(decide(enrollment({ status: "revoked" }), { type: "Access", at: later(1) }))).toBe("ENROLLMENT.NOT_ACTIVE");
  });

  it("completes once; a second completion changes nothing; a revoked one cannot complete", () => {
    const done = apply(enrollment(), { type: "Complete", at: later(5), completionRecordId: "cr_1" });
    expect(done.ok && done.value.state?.status).toBe("completed");
    expect(decide(enrollment({ status: "completed" }), { type: "Complete", at: later(6), completionRecordId: "cr_2" })).toEqual({
      ok: true,
      value: [],
    });
    expect(codeOf(decide(enrollment({ status: "revoked" }), { type: "Complete", at: later(6), completionRecordId: "cr_2" }))).toBe(
      "ENROLLMENT.ALREADY_REVOKED",
    );
  });

  it("expires an active enrollment at its end date, and never a completed one or an early one", () => {
    const ends = later(1000);
    const expired = decide(enrollment({ expiresAt: ends }), { type: "Expire", at: later(5000) });
    expect(expired.ok && expired.value).toEqual([{ type: "EnrollmentExpired", expiredAt: ends }]);
    expect(decide(enrollment({ expiresAt: ends }), { type: "Expire", at: later(999) })).toEqual({ ok: true, value: [] });
    expect(decide(enrollment({ expiresAt: ends, status: "completed" }), { type: "Expire", at: later(5000) })).toEqual({
      ok: true,
      value: [],
    });
  });

  it("revokes an active enrollment once and leaves a completed one alone", () => {
    expect(typesOf(decide(enrollment(), { type: "Revoke", at: later(1), reason: "license_revoked" }))).toEqual(["EnrollmentRevoked"]);
    expect(codeOf(decide(enrollment({ status: "revoked" }), { type: "Revoke", at: later(1), reason: "admin" }))).toBe(
      "ENROLLMENT.ALREADY_REVOKED",
    );
    expect(codeOf(decide(enrollment({ status: "completed" }), { type: "Revoke", at: later(1), reason: "admin" }))).toBe(
      "ENROLLMENT.NOT_ACTIVE",
    );
    expect(codeOf(decide(null, { type: "Revoke", at: later(1), reason: "admin" }))).toBe("ENROLLMENT.NOT_FOUND");
  });

  it("downgrades verified to audit, once", () => {
    const down = apply(enrollment(), { type: "DowngradeToAudit", at: later(1), reason: "license_revoked" });
    expect(down.ok && down.value.state?.mode).toBe("audit");
    expect(down.ok && down.value.events).toEqual([
      { type: "EnrollmentModeChanged", at: later(1), from: "verified", to: "audit", reason: "license_revoked" },
    ]);
    expect(decide(enrollment({ mode: "audit" }), { type: "DowngradeToAudit", at: later(1), reason: "license_revoked" })).toEqual({
      ok: true,
      value: [],
    });
  });

  it("remembers that the learner unenrolled themself", () => {
    const left = apply(enrollment(), { type: "Unenroll", at: later(1) });
    expect(left.ok && left.value.state).toMatchObject({ status: "revoked", revokeReason: "admin", unenrolledAt: later(1) });
    const revoked = apply(enrollment(), { type: "Revoke", at: later(1), reason: "admin" });
    expect(revoked.ok && revoked.value.state?.unenrolledAt).toBeNull();
    expect(codeOf(decide(enrollment({ status: "expired" }), { type: "Unenroll", at: later(1) }))).toBe("ENROLLMENT.NOT_ACTIVE");
  });

  it("erases the learner's id, keeping the rest", () => {
    const erased = apply(enrollment({ status: "completed" }), { type: "Erase", at: later(1), pseudonym: "erased_x" });
    expect(erased.ok && erased.value.state).toMatchObject({ userId: "erased_x", status: "completed", erasedAt: later(1) });
  });
});
