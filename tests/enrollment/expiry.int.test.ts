import { afterEach, describe, expect, it } from "vitest";
import { expireDue } from "../../src/contexts/enrollment/expiry/expire-due.js";
import { startTestApp, type TestApp } from "../support/test-app.js";
import { api, ctx, deps, enrollmentRow, input, published, sys } from "./support.js";

let t: TestApp | undefined;
afterEach(async () => {
  await t?.stop();
  t = undefined;
});

describe("enrollment expiry", () => {
  it("expires an enrollment when the clock reaches its end date, and announces it once", async () => {
    t = await startTestApp({ workers: false });
    const ends = new Date(t.clock.now().getTime() + 30 * 86_400_000);
    const { enrollmentId } = await api(t).enroll(undefined, input({ expiresAt: ends }), ctx);
    const forever = await api(t).enroll(undefined, input({ userId: "usr_2" }), ctx);

    t.clock.set(new Date(ends.getTime() - 1));
    expect(await expireDue(deps(t))).toBe(0);
    expect(await enrollmentRow(t, enrollmentId)).toMatchObject({ status: "active" });

    t.clock.set(ends);
    // Two timer passes at once (two processes) and a late one: still one expiry.
    const claimed = await Promise.all([expireDue(deps(t)), expireDue(deps(t))]);
    expect(claimed.reduce((a, b) => a + b, 0)).toBe(1);
    t.clock.advance(60_000);
    expect(await expireDue(deps(t))).toBe(0);

    expect(await enrollmentRow(t, enrollmentId)).toMatchObject({ status: "expired" });
    expect(await enrollmentRow(t, forever.enrollmentId)).toMatchObject({ status: "active" });
    const expired = await published(t, "enrollment.expired.v1");
    expect(expired.map((e) => e.payload)).toEqual([{ enrollmentId, tenantId: "ten_1", userId: "usr_1", expiredAt: ends.toISOString() }]);
    expect(await sys(t, `SELECT 1 FROM enrollment.expiry_due`)).toHaveLength(0);
  });

  it("fires from the background timer without anyone calling it", async () => {
    t = await startTestApp();
    const ends = new Date(t.clock.now().getTime() + 3_600_000);
    const { enrollmentId } = await api(t).enroll(undefined, input({ expiresAt: ends }), ctx);
    t.clock.set(ends);
    for (let i = 0; i < 100 && (await published(t, "enrollment.expired.v1")).length === 0; i++) await new Promise((r) => setTimeout(r, 50));
    expect(await enrollmentRow(t, enrollmentId)).toMatchObject({ status: "expired" });
    expect(await published(t, "enrollment.expired.v1")).toHaveLength(1);
  });

  it("does not expire a completed enrollment, and drops its deadline", async () => {
    t = await startTestApp({ workers: false });
    const ends = new Date(t.clock.now().getTime() + 1000);
    const { enrollmentId } = await api(t).enroll(undefined, input({ expiresAt: ends }), ctx);
    await t.app.kernel.db.tx((tx) => tx.query(`UPDATE enrollment.enrollments SET status = 'completed' WHERE id = $1`, [enrollmentId]));
    t.clock.set(ends);
    expect(await expireDue(deps(t))).toBe(1);
    expect(await enrollmentRow(t, enrollmentId)).toMatchObject({ status: "completed" });
    expect(await published(t, "enrollment.expired.v1")).toHaveLength(0);
  });
});
