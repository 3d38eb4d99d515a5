import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { count, ingest, startMarket, type Market } from "../marketplace/marketplace-fixture.js";

let m: Market;
beforeAll(async () => {
  m = await startMarket();
});
afterAll(async () => m?.t.stop());

let n = 0;
async function course(body: Record<string, unknown> = {}) {
  const courseId = `crs_cat_${n++}`;
  const response = await m.call("POST", "/api/v1/catalog/courses", {
    token: m.provider,
    body: { courseId, providerId: "prv_1", title: "Intro to SQL", ...body },
  });
  expect(response.status, JSON.stringify(response.body)).toBe(201);
  return courseId;
}
async function version(courseId: string, courseVersionId = `${courseId}_v1`) {
  const response = await m.call("POST", `/api/v1/catalog/courses/${courseId}/versions`, {
    token: m.provider,
    body: { courseVersionId, label: "2026.1" },
  });
  expect(response.status, JSON.stringify(response.body)).toBe(201);
  return courseVersionId;
}
const run = (courseId: string, body: Record<string, unknown>) =>
  m.call("POST", `/api/v1/catalog/courses/${courseId}/runs`, {
    token: m.provider,
    body: { startsAt: "2026-04-01T00:00:00Z", enrollable: true, advertised: false, ...body },
  });
const get = async (courseId: string) => (await m.call("GET", `/api/v1/catalog/courses/${courseId}`)).body;

describe("catalog courses", () => {
  it("registers a course with versions and runs, readable publicly, audit mode offered by default", async () => {
    const courseId = await course();
    const cv = await version(courseId);
    expect(
      (await run(courseId, { runKey: `${courseId}-2026a`, courseVersionId: cv, endsAt: "2026-06-01T00:00:00Z", advertised: true })).status,
    ).toBe(201);
    const body = await get(courseId);
    expect(body).toMatchObject({ courseId, providerId: "prv_1", title: "Intro to SQL", auditAvailable: true });
    expect(body.versions).toEqual([
      expect.objectContaining({ courseVersionId: cv, label: "2026.1", published: false, playPackageBuilt: false }),
    ]);
    expect(body.runs).toEqual([
      expect.objectContaining({
        runKey: `${courseId}-2026a`,
        courseVersionId: cv,
        startsAt: "2026-04-01T00:00:00.000Z",
        endsAt: "2026-06-01T00:00:00.000Z",
        enrollable: true,
        advertised: true,
      }),
    ]);
  });

  it("records a course without audit mode, and lets the provider change it", async () => {
    const courseId = await course({ auditAvailable: false });
    expect((await get(courseId)).auditAvailable).toBe(false);
    const changed = await m.call("PATCH", `/api/v1/catalog/courses/${courseId}`, { token: m.provider, body: { auditAvailable: true } });
    expect(changed.body.auditAvailable).toBe(true);
  });

  it("keeps at most one advertised run: advertising a new one un-advertises the old", async () => {
    const courseId = await course();
    const cv = await version(courseId);
    await run(courseId, { runKey: `${courseId}-a`, courseVersionId: cv, advertised: true });
    await run(courseId, { runKey: `${courseId}-b`, courseVersionId: cv, startsAt: "2026-09-01T00:00:00Z", advertised: true });
    const advertised = () => get(courseId).then((b) => b.runs.filter((r: any) => r.advertised).map((r: any) => r.runKey));
    expect(await advertised()).toEqual([`${courseId}-b`]);
    const again = await m.call("POST", `/api/v1/catalog/courses/${courseId}/runs/${courseId}-a/advertise`, { token: m.provider });
    expect(again.status).toBe(200);
    expect(await advertised()).toEqual([`${courseId}-a`]);
    // The database itself refuses a second advertised run.
    await expect(
      m.t.app.kernel.db.query(`UPDATE catalog.course_runs SET advertised = true WHERE course_id = $1`, [courseId]),
    ).rejects.toThrow();
  });

  it("refuses a run on a version of another course, a taken run key, and a run ending before it starts", async () => {
    const courseId = await course();
    const cv = await version(courseId);
    const otherCv = await version(await course());
    const before = await count(m, "catalog.course_runs");
    expect((await run(courseId, { runKey: `${courseId}-x`, courseVersionId: otherCv })).body.code).toBe("CATALOG.VERSION_UNKNOWN");
    expect((await run(courseId, { runKey: `${courseId}-x`, courseVersionId: cv, endsAt: "2026-03-01T00:00:00Z" })).body.code).toBe(
      "CATALOG.RUN_ENDS_BEFORE_START",
    );
    expect(await count(m, "catalog.course_runs")).toBe(before);
    expect((await run(courseId, { runKey: `${courseId}-y`, courseVersionId: cv, advertised: true })).status).toBe(201);
    const taken = await run(courseId, { runKey: `${courseId}-y`, courseVersionId: cv, advertised: true });
    expect(taken.status).toBe(409);
    expect(taken.body.code).toBe("CATALOG.RUN_KEY_TAKEN");
    // The refused run did not un-advertise the existing one.
    expect((await get(courseId)).runs.filter((r: any) => r.advertised)).toHaveLength(1);
  });

  it("refuses another provider's course edits with 403, and a learner with 403", async () => {
    const courseId = await course();
    const other = await m.call("POST", `/api/v1/catalog/courses/${courseId}/versions`, {
      token: m.otherProvider,
      body: { label: "hijack" },
    });
    expect(other.status).toBe(403);
    expect(other.body.code).toBe("CATALOG.NOT_COURSE_OWNER");
    expect(
      (await m.call("POST", "/api/v1/catalog/courses", { token: m.otherProvider, body: { providerId: "prv_1", title: "Not mine" } }))
        .status,
    ).toBe(403);
    expect((await m.call("POST", "/api/v1/catalog/courses", { token: m.learner, body: { providerId: "prv_1", title: "x" } })).status).toBe(
      403,
    );
    expect(
      (await m.call("POST", `/api/v1/catalog/courses/${courseId}/versions`, { token: m.admin, body: { label: "admin may" } })).status,
    ).toBe(201);
  });

  it("refuses bad input with 400 and duplicates with 409, writing nothing", async () => {
    const courseId = await course();
    const before = [await count(m, "catalog.courses"), await count(m, "catalog.course_versions")];
    for (const body of [
      { providerId: "prv_1" },
      { providerId: "prv_1", title: "x", auditAvailable: "yes" },
      { providerId: "prv_1", title: "x", price: 5 },
    ]) {
      const response = await m.call("POST", "/api/v1/catalog/courses", { token: m.provider, body });
      expect(response.status).toBe(400);
      expect(response.body.code).toBe("REQUEST.VALIDATION_FAILED");
    }
    expect((await run(courseId, { runKey: "k", courseVersionId: "v", startsAt: "tomorrow" })).status).toBe(400);
    expect(
      (await m.call("POST", "/api/v1/catalog/courses", { token: m.provider, body: { courseId, providerId: "prv_1", title: "again" } })).body
        .code,
    ).toBe("CATALOG.COURSE_EXISTS");
    expect([await count(m, "catalog.courses"), await count(m, "catalog.course_versions")]).toEqual(before);
    expect((await m.call("GET", "/api/v1/catalog/courses/crs_missing")).status).toBe(404);
  });
});

describe("catalog projection of upstream events", () => {
  it("marks a version published and its play package built, from ingest, once each", async () => {
    const courseId = await course();
    const cv = await version(courseId);
    await ingest(m, "catalog.course_version.published.v1", { courseId, courseVersionId: cv });
    await ingest(m, "content.play_package.built.v1", { courseId, courseVersionId: cv, packageId: "pkg_1" });
    await m.t.settle();
    const first = (await get(courseId)).versions[0];
    expect(first).toMatchObject({ published: true, playPackageBuilt: true, playPackageId: "pkg_1" });
    m.t.clock.advance(3_600_000);
    await ingest(m, "catalog.course_version.published.v1", { courseId, courseVersionId: cv });
    await m.t.settle();
    expect((await get(courseId)).versions[0].publishedAt).toBe(first.publishedAt);
  });

  it("remembers a version announced before it was registered, then adopts it", async () => {
    const courseId = await course();
    await ingest(m, "catalog.course_version.published.v1", { courseId, courseVersionId: `${courseId}_early` });
    await m.t.settle();
    await version(courseId, `${courseId}_early`);
    expect((await get(courseId)).versions).toEqual([
      expect.objectContaining({ courseVersionId: `${courseId}_early`, label: "2026.1", published: true }),
    ]);
  });

  it("refuses an event that claims a version for another course: it goes to retries (then the DLQ), nothing changes", async () => {
    const courseId = await course();
    const cv = await version(courseId);
    await ingest(m, "content.play_package.built.v1", { courseId: "crs_someone_else", courseVersionId: cv });
    await m.t.settle();
    const retries = await m.t.app.kernel.db.query(
      `SELECT count(*)::int AS n FROM platform.consumer_retries WHERE consumer = 'catalog.play-package-built'`,
    );
    expect(Number((retries.rows[0] as any).n)).toBe(1);
    expect((await get(courseId)).versions[0].playPackageBuilt).toBe(false);
  });
});
