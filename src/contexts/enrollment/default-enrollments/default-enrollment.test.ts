import { describe, expect, it } from "vitest";
import { codeOf, givenWhenThen } from "../../../platform/testing/given-when-then.js";
import {
  decideAdd,
  decideRemove,
  evaluate,
  resolveRun,
  type EnrollmentFact,
  type Intention,
  type LearnerFacts,
  type Run,
} from "./default-enrollment.domain.js";

const at = new Date("2026-03-01T09:00:00Z");
const intention = (over: Partial<Intention> = {}): Intention => ({
  intentionId: "dei_1",
  tenantId: "ten_e",
  contentKey: "crs_1",
  contentType: "course",
  courseId: "crs_1",
  createdAt: at,
  removedAt: null,
  ...over,
});
const run = (runKey: string, over: Partial<Run> = {}): Run => ({
  runKey,
  courseVersionId: `cv_${runKey}`,
  advertised: false,
  enrollable: true,
  open: true,
  ...over,
});
const site = { kind: "site_license" as const, ref: "lcn_1", licenseId: "lcn_1" };
const enrollmentFact = (over: Partial<EnrollmentFact> = {}): EnrollmentFact => ({
  enrollmentId: "enr_1",
  courseId: "crs_1",
  courseVersionId: "cv_a",
  runKey: "a",
  status: "active",
  mode: "verified",
  unenrolled: false,
  ...over,
});
const facts = (over: Partial<LearnerFacts> = {}): LearnerFacts => ({
  intention: intention(),
  runs: [run("a", { advertised: true })],
  inCatalog: true,
  subsidy: site,
  realization: null,
  enrollments: [],
  ...over,
});

describe("run resolution", () => {
  it("resolves a course key to its advertised, enrollable, open run", () => {
    expect(resolveRun(intention(), [run("old"), run("new", { advertised: true })])?.runKey).toBe("new");
  });
  it("finds no run for a course whose advertised run is not enrollable or is over", () => {
    expect(resolveRun(intention(), [run("a", { advertised: true, enrollable: false, open: false }), run("b")])).toBeNull();
    expect(resolveRun(intention(), [run("a", { advertised: true, open: false })])).toBeNull();
  });
  it("honours a run key even when another run is advertised", () => {
    expect(
      resolveRun(intention({ contentKey: "old", contentType: "course_run" }), [run("old"), run("new", { advertised: true })])?.runKey,
    ).toBe("old");
  });
  it("does not fall back to the advertised run when the named run is not enrollable", () => {
    expect(
      resolveRun(intention({ contentKey: "old", contentType: "course_run" }), [
        run("old", { enrollable: false, open: false }),
        run("new", { advertised: true }),
      ]),
    ).toBeNull();
  });
});

describe("a learner's default enrollment", () => {
  it("is enrollable into the resolved run with the subsidy that applies", () => {
    expect(evaluate(facts())).toMatchObject({ status: "needs_enrollment.enrollable", run: { runKey: "a" }, subsidy: site });
  });
  it("is already enrolled when the learner holds an active enrollment in the course", () => {
    expect(evaluate(facts({ enrollments: [enrollmentFact()] }))).toMatchObject({
      status: "already_enrolled",
      enrollment: { enrollmentId: "enr_1" },
    });
  });
  it("shows the realized enrollment in audit mode after a license revocation", () => {
    const realization = {
      realizationId: "der_1",
      intentionId: "dei_1",
      tenantId: "ten_e",
      userId: "u",
      runKey: "a",
      courseVersionId: "cv_a",
      enrollmentId: "enr_1",
      subsidy: site,
      realizedAt: at,
    };
    expect(evaluate(facts({ subsidy: null, realization, enrollments: [enrollmentFact({ mode: "audit" })] }))).toMatchObject({
      status: "already_enrolled",
      enrollment: { mode: "audit" },
      run: { runKey: "a" },
    });
  });
  it("never re-enrolls a learner who left the course", () => {
    expect(evaluate(facts({ enrollments: [enrollmentFact({ status: "revoked", unenrolled: true })] }))).toMatchObject({
      status: "needs_enrollment.not_enrollable",
      reason: "unenrolled",
    });
  });
  it("reports a course outside the enterprise's licenses as not_in_catalog, and a learner without subsidy as no_subsidy", () => {
    expect(evaluate(facts({ inCatalog: false, subsidy: null }))).toMatchObject({
      status: "needs_enrollment.not_enrollable",
      reason: "not_in_catalog",
    });
    expect(evaluate(facts({ inCatalog: true, subsidy: null }))).toMatchObject({
      status: "needs_enrollment.not_enrollable",
      reason: "no_subsidy",
    });
  });
  it("skips a course with no enrollable run", () => {
    expect(evaluate(facts({ runs: [run("a", { advertised: true, enrollable: false, open: false })] }))).toMatchObject({
      status: "needs_enrollment.not_enrollable",
      reason: "no_enrollable_run",
      run: null,
    });
  });
});

describe("configuring intentions", () => {
  /** Given what the key holds, when an admin adds it (restore: asking to bring a removed one back). */
  const given = givenWhenThen(decideAdd);
  it("refuses a second active intention for the same key", () => {
    given({ active: intention(), removed: null })
      .when(false)
      .then((result) => expect(codeOf(result)).toBe("DEFAULT_ENROLLMENT.INTENTION_EXISTS"));
  });
  it("does not silently re-create a removed intention; restores it when asked", () => {
    const removed = intention({ removedAt: at });
    given({ active: null, removed })
      .when(false)
      .then((result) => expect(codeOf(result)).toBe("DEFAULT_ENROLLMENT.INTENTION_REMOVED"));
    given({ active: null, removed })
      .when(true)
      .then((result) => expect(result).toEqual({ ok: true, value: { type: "restore", intention: removed } }));
    given({ active: null, removed: null })
      .when(true)
      .then((result) => expect(result).toEqual({ ok: true, value: { type: "create" } }));
  });
  it("removes an active intention once", () => {
    expect(decideRemove(intention()).ok).toBe(true);
    expect(codeOf(decideRemove(intention({ removedAt: at })))).toBe("DEFAULT_ENROLLMENT.INTENTION_REMOVED");
    expect(codeOf(decideRemove(null))).toBe("DEFAULT_ENROLLMENT.INTENTION_NOT_FOUND");
  });
});
