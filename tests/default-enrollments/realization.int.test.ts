import { afterEach, describe, expect, it } from "vitest";
import type { Shop } from "../orders/purchase-support.js";
import {
  addRun,
  base,
  course,
  defaultEnrollments,
  ENTERPRISE,
  events,
  ingestJoin,
  intention,
  join,
  openEnterprise,
  siteLicense,
  status,
} from "./support.js";

let shop: Shop;
afterEach(async () => shop?.t.stop());

describe("default enrollments realized when a learner joins the enterprise", () => {
  it("enrolls a new member into the course's advertised run, records the realization and announces it", async () => {
    shop = await openEnterprise();
    const c = await course(shop);
    const licenseId = await siteLicense(shop, c);
    const intentionId = await intention(shop, c.courseId);
    await join(shop, "usr_ann");

    const [enr] = await defaultEnrollments(shop, "usr_ann");
    expect(enr).toMatchObject({
      tenant_id: ENTERPRISE,
      course_id: c.courseId,
      course_version_id: c.courseVersionId,
      run_key: c.runKey,
      source_kind: "default_enrollment",
      source_ref: intentionId,
      license_id: licenseId,
      status: "active",
      mode: "verified",
    });
    expect(await status(shop, "usr_ann")).toEqual([
      {
        intentionId,
        contentKey: c.courseId,
        contentType: "course",
        status: "already_enrolled",
        run: { runKey: c.runKey, courseVersionId: c.courseVersionId },
        realization: expect.objectContaining({ runKey: c.runKey, enrollmentId: enr.id, subsidy: { kind: "site_license", ref: licenseId } }),
        enrollment: { enrollmentId: enr.id, status: "active", mode: "verified", unenrolled: false },
      },
    ]);
    const realized = await events(shop, "enterprise.default_enrollment.realized.v1");
    expect(realized.map((e) => e.payload)).toEqual([
      {
        intentionId,
        tenantId: ENTERPRISE,
        userId: "usr_ann",
        contentKey: c.courseId,
        runKey: c.runKey,
        enrollmentId: enr.id,
        subsidy: { kind: "site_license", ref: licenseId },
      },
    ]);
    expect(realized[0].partitionKey).toBe("usr_ann");
    // The learner may read their own status; another learner may not.
    const self = await shop.t.token({ sub: "usr_ann", tid: ENTERPRISE, roles: ["learner"] });
    expect((await status(shop, "usr_ann", self))[0].status).toBe("already_enrolled");
    const other = await shop.t.token({ sub: "usr_bob", tid: ENTERPRISE, roles: ["learner"] });
    expect((await shop.http("GET", `${base}/learners/usr_ann/default-enrollments`, { token: other })).status).toBe(403);
  });

  it("gives new joiners the newly advertised run while earlier realizations keep theirs", async () => {
    shop = await openEnterprise();
    const c = await course(shop);
    await siteLicense(shop, c);
    await intention(shop, c.courseId);
    await join(shop, "usr_early");
    const next = await addRun(shop, c, { advertised: true, startsAt: "2026-09-01T00:00:00Z" });
    await join(shop, "usr_late");

    expect((await defaultEnrollments(shop, "usr_early"))[0].run_key).toBe(c.runKey);
    expect((await defaultEnrollments(shop, "usr_late"))[0].run_key).toBe(next);
    expect((await status(shop, "usr_early"))[0]).toMatchObject({
      status: "already_enrolled",
      run: { runKey: c.runKey },
      realization: { runKey: c.runKey },
    });
    expect((await status(shop, "usr_late"))[0]).toMatchObject({
      status: "already_enrolled",
      run: { runKey: next },
      realization: { runKey: next },
    });
  });

  it("honours a run key even when another run of the course is advertised, and skips it once that run is not enrollable", async () => {
    shop = await openEnterprise();
    const c = await course(shop, { advertised: false });
    await addRun(shop, c, { advertised: true, startsAt: "2026-09-01T00:00:00Z" });
    await siteLicense(shop, c);
    const intentionId = await intention(shop, c.runKey);
    await join(shop, "usr_run");
    expect((await defaultEnrollments(shop, "usr_run"))[0].run_key).toBe(c.runKey);

    // A second run-key intention on a run closed for enrollment: not realized, even though the course has an open advertised run.
    const closed = await addRun(shop, c, { enrollable: false });
    const closedIntention = await intention(shop, closed);
    await join(shop, "usr_closed");
    const items = await status(shop, "usr_closed");
    expect(items.find((i) => i.intentionId === closedIntention)).toMatchObject({
      contentType: "course_run",
      status: "needs_enrollment.not_enrollable",
      reason: "no_enrollable_run",
      realization: null,
    });
    // The learner enrolled in the first run through the other intention is "already enrolled" there.
    expect(items.find((i) => i.intentionId === intentionId)).toMatchObject({ status: "already_enrolled", run: { runKey: c.runKey } });
    expect((await defaultEnrollments(shop, "usr_closed")).map((e) => e.run_key)).toEqual([c.runKey]);
  });

  it("skips a course that became non-enrollable, observably: status reason, skipped event and metric", async () => {
    shop = await openEnterprise();
    const c = await course(shop);
    await siteLicense(shop, c);
    const intentionId = await intention(shop, c.courseId);
    // The course's advertised run is now one that takes no enrollments.
    await addRun(shop, c, { advertised: true, enrollable: false, startsAt: "2026-09-01T00:00:00Z" });
    await join(shop, "usr_skip");

    expect(await defaultEnrollments(shop, "usr_skip")).toEqual([]);
    expect((await status(shop, "usr_skip"))[0]).toMatchObject({
      intentionId,
      status: "needs_enrollment.not_enrollable",
      reason: "no_enrollable_run",
      run: null,
      realization: null,
      enrollment: null,
    });
    expect((await events(shop, "enterprise.default_enrollment.skipped.v1")).map((e) => e.payload)).toEqual([
      { intentionId, tenantId: ENTERPRISE, userId: "usr_skip", contentKey: c.courseId, reason: "no_enrollable_run" },
    ]);
    const metrics = await shop.http("GET", "/metrics");
    expect(metrics.body).toMatch(/default_enrollments_skipped_total\{reason="no_enrollable_run"\} 1/);
  });

  it("never re-enrolls a learner who unenrolled from a default course, even after another join event", async () => {
    shop = await openEnterprise();
    const c = await course(shop);
    await siteLicense(shop, c);
    await intention(shop, c.courseId);
    await join(shop, "usr_leaver");
    const [enr] = await defaultEnrollments(shop, "usr_leaver");
    const learner = await shop.t.token({ sub: "usr_leaver", tid: ENTERPRISE, roles: ["learner"] });
    expect((await shop.http("POST", `/api/v1/enrollments/${enr.id}/unenroll`, { token: learner })).status).toBe(200);

    await ingestJoin(shop, "usr_leaver");
    await shop.t.settle();
    const realize = await shop.http("POST", `${base}/learners/usr_leaver/default-enrollments/realize`, { token: shop.orgAdmin });
    expect(realize.status).toBe(200);
    expect(realize.body.realized).toEqual([]);
    expect(await defaultEnrollments(shop, "usr_leaver")).toEqual([expect.objectContaining({ id: enr.id, status: "revoked" })]);
    expect((await status(shop, "usr_leaver"))[0]).toMatchObject({
      status: "needs_enrollment.not_enrollable",
      reason: "unenrolled",
      enrollment: { enrollmentId: enr.id, unenrolled: true },
    });
  });

  it("shows the enrollment downgraded to audit after the site license is revoked", async () => {
    shop = await openEnterprise();
    const c = await course(shop);
    const licenseId = await siteLicense(shop, c);
    await intention(shop, c.courseId);
    await join(shop, "usr_audit");
    // seed 003: a revoked license downgrades the learner's enrollment to audit (the course offers it).
    const result = await shop.t.app.contexts.enrollment.api.revokeByLicense(
      undefined,
      { licenseId, reason: "license_revoked", auditWhereAvailable: true },
      { correlationId: "test" },
    );
    expect(result.downgraded).toHaveLength(1);
    expect((await status(shop, "usr_audit"))[0]).toMatchObject({
      status: "already_enrolled",
      enrollment: { status: "active", mode: "audit" },
      realization: { subsidy: { kind: "site_license", ref: licenseId } },
    });
  });

  it("reports intentions the enterprise's licenses do not cover (not_in_catalog) and realizes them with the learner's credit", async () => {
    shop = await openEnterprise();
    const c = await course(shop); // no license bought
    const intentionId = await intention(shop, c.courseId);
    await join(shop, "usr_nocover");
    expect((await status(shop, "usr_nocover"))[0]).toMatchObject({
      intentionId,
      status: "needs_enrollment.not_enrollable",
      reason: "not_in_catalog",
      run: { runKey: c.runKey },
    });
    expect((await events(shop, "enterprise.default_enrollment.skipped.v1")).map((e) => e.payload.reason)).toEqual(["not_in_catalog"]);

    const credit = await shop.http("POST", "/api/v1/wallets/usr_credit/credits", {
      token: shop.orgAdmin,
      body: { bucket: "general", amount: 5000, currency: "USD" },
      headers: { "idempotency-key": `credit-${Math.random()}` },
    });
    expect(credit.status, JSON.stringify(credit.body)).toBe(201);
    await join(shop, "usr_credit");
    expect((await status(shop, "usr_credit"))[0]).toMatchObject({
      status: "already_enrolled",
      realization: { subsidy: { kind: "learner_credit" } },
    });
    expect(await defaultEnrollments(shop, "usr_credit")).toHaveLength(1);
    // The learner without credit becomes enrollable once credited, and realizing on demand enrolls them.
    await shop.http("POST", "/api/v1/wallets/usr_nocover/credits", {
      token: shop.orgAdmin,
      body: { bucket: "general", amount: 100, currency: "USD" },
      headers: { "idempotency-key": `credit-${Math.random()}` },
    });
    expect((await status(shop, "usr_nocover"))[0]).toMatchObject({ status: "needs_enrollment.enrollable", run: { runKey: c.runKey } });
    const realize = await shop.http("POST", `${base}/learners/usr_nocover/default-enrollments/realize`, { token: shop.orgAdmin });
    expect(realize.body.realized).toEqual([intentionId]);
    expect(realize.body.items[0].status).toBe("already_enrolled");
  });

  it("erases the learner from realizations too on a GDPR erasure request", async () => {
    shop = await openEnterprise();
    const c = await course(shop);
    await siteLicense(shop, c);
    await intention(shop, c.courseId);
    await join(shop, "usr_gone");
    const ingested = await shop.http("POST", "/api/v1/events/ingest", {
      token: shop.service,
      body: {
        eventId: "evt_gdpr_gone",
        type: "gdpr.subject_request.received.v1",
        occurredAt: shop.t.clock.now().toISOString(),
        source: "gdpr",
        payload: { subjectUserId: "usr_gone", requestId: "gdpr_1", kind: "erasure" },
      },
    });
    expect(ingested.status).toBe(202);
    await shop.t.settle();
    const rows = await shop.t.app.kernel.db.tx(
      async (tx) => (await tx.query<{ user_id: string }>(`SELECT user_id FROM enrollment.default_enrollment_realizations`)).rows,
    );
    expect(rows).toEqual([{ user_id: expect.stringMatching(/^erased_/) }]);
    expect(await status(shop, "usr_gone")).toMatchObject([{ realization: null }]);
  });
});
