import { afterEach, describe, expect, it } from "vitest";
import { onPostgres, startTestApp, type TestApp } from "../support/test-app.js";
import { markMinted } from "../../src/platform/ids.js";
import { api, ctx, input, published, sys } from "./support.js";

let t: TestApp | undefined;
afterEach(async () => {
  await t?.stop();
  t = undefined;
});

describe("creating enrollments", () => {
  it("enrolls a learner once when the same source asks twice, with one enrollment.created", async () => {
    t = await startTestApp();
    const first = await api(t).enroll(undefined, input(), ctx);
    const again = await api(t).enroll(undefined, input({ courseVersionId: "cv_2" }), ctx);
    expect(first.created).toBe(true);
    expect(again).toEqual({ enrollmentId: first.enrollmentId, created: false });
    expect(await sys(t, `SELECT id FROM enrollment.enrollments`)).toHaveLength(1);
    const created = await published(t, "enrollment.created.v1");
    expect(created).toHaveLength(1);
    expect(created[0]!.partitionKey).toBe("usr_1");
    expect(created[0]!.payload).toEqual({
      enrollmentId: first.enrollmentId,
      tenantId: "ten_1",
      userId: "usr_1",
      courseId: "crs_1",
      courseVersionId: "cv_1",
      source: { kind: "license", ref: "lcn_1" },
      enrolledAt: t.clock.now().toISOString(),
      licenseId: "lcn_1",
      orderId: "ord_1",
    });
  });

  it("gives a second enrollment for a different source of the same course", async () => {
    t = await startTestApp();
    const a = await api(t).enroll(undefined, input(), ctx);
    const b = await api(t).enroll(undefined, input({ source: { kind: "seat", ref: "ssa_1" } }), ctx);
    expect(b.created).toBe(true);
    expect(b.enrollmentId).not.toBe(a.enrollmentId);
  });

  it("writes nothing when the caller's transaction rolls back", async () => {
    t = await startTestApp();
    const kernel = t.app.kernel;
    await expect(
      kernel.db.tx(async (tx) => {
        await api(t!).enroll(tx, input(), ctx);
        throw new Error("saga step failed after enrolling");
      }),
    ).rejects.toThrow("saga step failed");
    expect(await sys(t, `SELECT 1 FROM enrollment.enrollments`)).toHaveLength(0);
    expect(await published(t, "enrollment.created.v1")).toHaveLength(0);
  });

  it("bulk-enrolls in input order, skipping the ones that already exist", async () => {
    t = await startTestApp();
    const existing = await api(t).enroll(undefined, input({ userId: "usr_2" }), ctx);
    const results = await api(t).enrollMany(
      undefined,
      ["usr_1", "usr_2", "usr_3", "usr_1"].map((userId) => input({ userId })),
      ctx,
    );
    expect(results.map((r) => r.created)).toEqual([true, false, true, false]);
    expect(results[1]!.enrollmentId).toBe(existing.enrollmentId);
    expect(results[3]!.enrollmentId).toBe(results[0]!.enrollmentId);
    expect(await published(t, "enrollment.created.v1")).toHaveLength(3);
  });

  it.runIf(onPostgres)("enrolls a learner once when ten callers enroll them at the same moment", async () => {
    t = await startTestApp({ workers: false });
    const results = await Promise.all(Array.from({ length: 10 }, () => api(t!).enroll(undefined, input(), ctx)));
    expect(results.filter((r) => r.created)).toHaveLength(1);
    expect(new Set(results.map((r) => r.enrollmentId)).size).toBe(1);
    expect(await published(t, "enrollment.created.v1")).toHaveLength(1);
  });

  it("refuses, rather than duplicates, an enrollment whose source was said to be new but already holds one", async () => {
    t = await startTestApp();
    const first = await api(t).enroll(undefined, input(), ctx);
    const again = t.app.kernel.db.tx((tx) => (markMinted(tx, input().source.ref), api(t!).enrollMany(tx, [input()], ctx)));
    await expect(again).rejects.toMatchObject({ code: "23505" });
    expect(await sys(t, `SELECT id FROM enrollment.enrollments`)).toEqual([{ id: first.enrollmentId }]);
    expect(await published(t, "enrollment.created.v1")).toHaveLength(1);
  });

  it.runIf(onPostgres)("keeps one enrollment when ten transactions enroll the same new source at the same moment", async () => {
    t = await startTestApp({ workers: false });
    const outcomes = await Promise.allSettled(
      Array.from({ length: 10 }, () =>
        t!.app.kernel.db.tx((tx) => (markMinted(tx, input().source.ref), api(t!).enrollMany(tx, [input()], ctx))),
      ),
    );
    expect(outcomes.filter((o) => o.status === "fulfilled")).toHaveLength(1);
    expect(await sys(t, `SELECT id FROM enrollment.enrollments`)).toHaveLength(1);
    expect(await published(t, "enrollment.created.v1")).toHaveLength(1);
  });

  it.runIf(onPostgres)("enrolls 10,000 learners in one bulk call, one event each, well under 10 s", async () => {
    t = await startTestApp({ workers: false });
    const inputs = Array.from({ length: 10_000 }, (_, i) =>
      input({ userId: `usr_bulk_${i}`, source: { kind: "site_license", ref: "lcn_site" }, licenseId: "lcn_site" }),
    );
    const started = Date.now();
    const results = await api(t).enrollMany(undefined, inputs, ctx);
    const elapsed = Date.now() - started;
    expect(results.every((r) => r.created)).toBe(true);
    expect(new Set(results.map((r) => r.enrollmentId)).size).toBe(10_000);
    const counts = await sys<{ enrollments: number; events: number }>(
      t,
      `SELECT (SELECT count(*)::int FROM enrollment.enrollments) AS enrollments,
              (SELECT count(*)::int FROM platform.outbox WHERE type = 'enrollment.created.v1') AS events`,
    );
    expect(counts[0]).toEqual({ enrollments: 10_000, events: 10_000 });
    expect(elapsed).toBeLessThan(10_000);
    const again = await api(t).enrollMany(undefined, inputs, ctx);
    expect(again.every((r, i) => !r.created && r.enrollmentId === results[i]!.enrollmentId)).toBe(true);
  });
});
