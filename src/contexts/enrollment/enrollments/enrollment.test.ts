import { describe, expect, it } from "vitest";
import { codeOf, givenWhenThen } from "../../../platform/testing/given-when-then.js";
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
    holdReason: null,
    ...overrides,
  };
}

/** `decide` answers with the events; `apply` with the state they leave too. */
const given = givenWhenThen(decide);
const givenApplied = givenWhenThen(apply);
const typesOf = (d: ReturnType<typeof decide>) => (d.ok ? d.value.map((e) => e.type) : []);
const nothing = { ok: true, value: [] };

describe("enrollment lifecycle", () => {
  it("creates a new enrollment, and creating a known one again is no news", () => {
    given(null)
      .when({ type: "Create", enrollment: enrollment() })
      .then((d) => expect(typesOf(d)).toEqual(["EnrollmentCreated"]));
    given(enrollment())
      .when({ type: "Create", enrollment: enrollment({ id: "enr_2" }) })
      .then((d) => expect(d).toEqual(nothing));
  });

  it("refuses an enrollment that would end before it starts", () => {
    given(null)
      .when({ type: "Create", enrollment: enrollment({ expiresAt: t0 }) })
      .then((d) => expect(codeOf(d)).toBe("ENROLLMENT.EXPIRES_BEFORE_START"));
  });

  it("counts attempts on every access, also after completion, never after revocation", () => {
    givenApplied(enrollment({ attemptCount: 2 }))
      .when({ type: "Access", at: later(1) })
      .then((a) => expect(a.ok && a.value.state?.attemptCount).toBe(3));
    given(enrollment({ status: "completed" }))
      .when({ type: "Access", at: later(1) })
      .then((d) => expect(typesOf(d)).toEqual(["EnrollmentAccessed"]));
    given(enrollment({ status: "revoked" }))
      .when({ type: "Access", at: later(1) })
      .then((d) => expect(codeOf(d)).toBe("ENROLLMENT.NOT_ACTIVE"));
  });

  it("completes once; a second completion changes nothing; a revoked one cannot complete", () => {
    givenApplied(enrollment())
      .when({ type: "Complete", at: later(5), completionRecordId: "cr_1" })
      .then((a) => expect(a.ok && a.value.state?.status).toBe("completed"));
    given(enrollment({ status: "completed" }))
      .when({ type: "Complete", at: later(6), completionRecordId: "cr_2" })
      .then((d) => expect(d).toEqual(nothing));
    given(enrollment({ status: "revoked" }))
      .when({ type: "Complete", at: later(6), completionRecordId: "cr_2" })
      .then((d) => expect(codeOf(d)).toBe("ENROLLMENT.ALREADY_REVOKED"));
  });

  it("expires an active enrollment at its end date, and never a completed one or an early one", () => {
    const ends = later(1000);
    given(enrollment({ expiresAt: ends }))
      .when({ type: "Expire", at: later(5000) })
      .then((d) => expect(d.ok && d.value).toEqual([{ type: "EnrollmentExpired", expiredAt: ends }]));
    given(enrollment({ expiresAt: ends }))
      .when({ type: "Expire", at: later(999) })
      .then((d) => expect(d).toEqual(nothing));
    given(enrollment({ expiresAt: ends, status: "completed" }))
      .when({ type: "Expire", at: later(5000) })
      .then((d) => expect(d).toEqual(nothing));
  });

  it("revokes an active enrollment once and leaves a completed one alone", () => {
    given(enrollment())
      .when({ type: "Revoke", at: later(1), reason: "license_revoked" })
      .then((d) => expect(typesOf(d)).toEqual(["EnrollmentRevoked"]));
    given(enrollment({ status: "revoked" }))
      .when({ type: "Revoke", at: later(1), reason: "admin" })
      .then((d) => expect(codeOf(d)).toBe("ENROLLMENT.ALREADY_REVOKED"));
    given(enrollment({ status: "completed" }))
      .when({ type: "Revoke", at: later(1), reason: "admin" })
      .then((d) => expect(codeOf(d)).toBe("ENROLLMENT.NOT_ACTIVE"));
    given(null)
      .when({ type: "Revoke", at: later(1), reason: "admin" })
      .then((d) => expect(codeOf(d)).toBe("ENROLLMENT.NOT_FOUND"));
  });

  it("downgrades verified to audit, once", () => {
    givenApplied(enrollment())
      .when({ type: "DowngradeToAudit", at: later(1), reason: "license_revoked" })
      .then((a) => {
        expect(a.ok && a.value.state?.mode).toBe("audit");
        expect(a.ok && a.value.events).toEqual([
          { type: "EnrollmentModeChanged", at: later(1), from: "verified", to: "audit", reason: "license_revoked" },
        ]);
      });
    given(enrollment({ mode: "audit" }))
      .when({ type: "DowngradeToAudit", at: later(1), reason: "license_revoked" })
      .then((d) => expect(d).toEqual(nothing));
  });

  it("remembers that the learner unenrolled themself", () => {
    givenApplied(enrollment())
      .when({ type: "Unenroll", at: later(1) })
      .then((a) => expect(a.ok && a.value.state).toMatchObject({ status: "revoked", revokeReason: "admin", unenrolledAt: later(1) }));
    givenApplied(enrollment())
      .when({ type: "Revoke", at: later(1), reason: "admin" })
      .then((a) => expect(a.ok && a.value.state?.unenrolledAt).toBeNull());
    given(enrollment({ status: "expired" }))
      .when({ type: "Unenroll", at: later(1) })
      .then((d) => expect(codeOf(d)).toBe("ENROLLMENT.NOT_ACTIVE"));
  });

  it("erases the learner's id, keeping the rest", () => {
    givenApplied(enrollment({ status: "completed" }))
      .when({ type: "Erase", at: later(1), pseudonym: "erased_x" })
      .then((a) => expect(a.ok && a.value.state).toMatchObject({ userId: "erased_x", status: "completed", erasedAt: later(1) }));
  });
});

describe("a subscription's license: hold, extend, end", () => {
  const hold = { type: "Hold", at: later(1), reason: "subscription_suspended" } as const;

  it("holds whatever the status, once, and releases what is held", () => {
    givenApplied(enrollment({ status: "completed" }))
      .when(hold)
      .then((a) => expect(a.ok && a.value.state).toMatchObject({ status: "completed", holdReason: "subscription_suspended" }));
    given(enrollment({ holdReason: "subscription_suspended" }))
      .when(hold)
      .then((d) => expect(d).toEqual(nothing));
    givenApplied(enrollment({ holdReason: "subscription_suspended" }))
      .when({ type: "ReleaseHold", at: later(2) })
      .then((a) => expect(a.ok && a.value.state?.holdReason).toBeNull());
    given(enrollment())
      .when({ type: "ReleaseHold", at: later(2) })
      .then((d) => expect(d).toEqual(nothing));
  });

  it("extends an end date only later, and never a perpetual, expired or revoked enrollment", () => {
    givenApplied(enrollment({ status: "completed", expiresAt: later(10) }))
      .when({ type: "Extend", at: later(1), expiresAt: later(20) })
      .then((a) => expect(a.ok && a.value.state?.expiresAt).toEqual(later(20)));
    for (const state of [
      enrollment({ expiresAt: later(20) }),
      enrollment({ expiresAt: null }),
      enrollment({ status: "expired", expiresAt: later(10) }),
      enrollment({ status: "revoked", expiresAt: later(10) }),
    ])
      given(state)
        .when({ type: "Extend", at: later(1), expiresAt: later(15) })
        .then((d) => expect(d).toEqual(nothing));
  });

  it("ends: audit without an end date where offered, else expired at the end; completed kept; the hold goes in every case", () => {
    givenApplied(enrollment({ expiresAt: later(10), holdReason: "subscription_suspended" }))
      .when({ type: "End", at: later(5), auditAvailable: true })
      .then((a) => expect(a.ok && a.value.state).toMatchObject({ status: "active", mode: "audit", expiresAt: null, holdReason: null }));
    givenApplied(enrollment({ expiresAt: later(10) }))
      .when({ type: "End", at: later(5), auditAvailable: false })
      .then((a) => expect(a.ok && a.value.state).toMatchObject({ status: "expired", expiredAt: later(5) }));
    givenApplied(enrollment({ status: "completed", holdReason: "subscription_suspended" }))
      .when({ type: "End", at: later(5), auditAvailable: true })
      .then((a) => expect(a.ok && a.value.state).toMatchObject({ status: "completed", mode: "verified", holdReason: null }));
    given(enrollment({ status: "expired" }))
      .when({ type: "End", at: later(5), auditAvailable: false })
      .then((d) => expect(d).toEqual(nothing));
  });
});
