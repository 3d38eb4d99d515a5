import { afterEach, describe, expect, it } from "vitest";
import { startTestApp, type TestApp } from "../support/test-app.js";
import { api, ctx, ingest, input, sys } from "./support.js";

let t: TestApp | undefined;
afterEach(async () => {
  await t?.stop();
  t = undefined;
});

/** Every row of every table in the enrollment schema, as text. */
async function everyEnrollmentRow(test: TestApp): Promise<string[]> {
  const tables = await sys<{ table_name: string }>(
    test,
    `SELECT table_name FROM information_schema.tables WHERE table_schema = 'enrollment'`,
  );
  const rows: string[] = [];
  for (const { table_name } of tables) {
    for (const row of await sys<{ r: unknown }>(test, `SELECT row_to_json(x)::text AS r FROM enrollment.${table_name} x`))
      rows.push(String(row.r));
  }
  return rows;
}

describe("GDPR erasure", () => {
  it("leaves no trace of the subject in enrollment tables or in events published afterwards, keeping the counts", async () => {
    t = await startTestApp();
    const subject = "usr_subject_42";
    await api(t).enroll(undefined, input({ userId: subject, expiresAt: new Date(t.clock.now().getTime() + 60_000) }), ctx);
    await api(t).enroll(undefined, input({ userId: subject, courseId: "crs_2", source: { kind: "seat", ref: "ssa_2" } }), ctx);
    await api(t).enroll(undefined, input({ userId: "usr_other" }), ctx);
    await ingest(t, "assignment.window.opened.v1", {
      userId: subject,
      courseId: "crs_3",
      assignmentId: "asg_1",
      opensAt: "2026-03-01T09:00:00.000Z",
    });
    await ingest(t, "progress.completion.recorded.v1", {
      userId: subject,
      courseId: "crs_2",
      completionRecordId: "cr_1",
      completedAt: "2026-03-01T09:05:00.000Z",
    });
    await t.settle();
    expect((await everyEnrollmentRow(t)).filter((r) => r.includes(subject))).toHaveLength(3);
    const before = Number(
      (await t.app.kernel.db.query<{ p: number }>(`SELECT coalesce(max(position), 0)::int AS p FROM platform.outbox`)).rows[0]!.p,
    );

    await ingest(t, "gdpr.subject_request.received.v1", { subjectUserId: subject, requestId: "gdpr_1", kind: "erasure" });
    await t.settle();
    // Life goes on for the anonymized rows: the expiry still fires, without naming anyone.
    t.clock.advance(60_000);
    await t.settle();
    for (let i = 0; i < 100 && (await sys(t, `SELECT 1 FROM enrollment.expiry_due`)).length > 0; i++)
      await new Promise((r) => setTimeout(r, 50));

    expect((await everyEnrollmentRow(t)).filter((r) => r.includes(subject))).toEqual([]);
    const produced = await t.app.kernel.db.query<{ type: string; envelope: string }>(
      `SELECT type, envelope::text AS envelope FROM platform.outbox WHERE position > $1 AND type LIKE 'enrollment.%'`,
      [before],
    );
    expect(produced.rows.map((r) => r.type)).toEqual(["enrollment.expired.v1"]);
    expect(produced.rows.filter((r) => r.envelope.includes(subject))).toEqual([]);

    const counts = await sys<{ n: number; learners: number; completed: number }>(
      t,
      `SELECT count(*)::int AS n, count(DISTINCT user_id)::int AS learners, count(*) FILTER (WHERE status = 'completed')::int AS completed FROM enrollment.enrollments`,
    );
    expect(counts[0]).toEqual({ n: 3, learners: 2, completed: 1 });
    const pseudonyms = await sys<{ user_id: string }>(t, `SELECT DISTINCT user_id FROM enrollment.enrollments WHERE erased_at IS NOT NULL`);
    expect(pseudonyms).toHaveLength(1);
    expect(pseudonyms[0]!.user_id).toMatch(/^erased_[0-9a-f]{32}$/);
  });

  it("ignores a subject request that does not ask for erasure", async () => {
    t = await startTestApp();
    await api(t).enroll(undefined, input(), ctx);
    await ingest(t, "gdpr.subject_request.received.v1", { subjectUserId: "usr_1", requestId: "gdpr_2", kind: "access" });
    await t.settle();
    expect(await sys(t, `SELECT 1 FROM enrollment.enrollments WHERE user_id = 'usr_1'`)).toHaveLength(1);
  });
});
