import { afterEach, describe, expect, it } from "vitest";
import type { Shop } from "../orders/purchase-support.js";
import { base, course, ENTERPRISE, intend, openEnterprise } from "./support.js";

let shop: Shop;
afterEach(async () => shop?.t.stop());

describe("default enrollment intentions", () => {
  it("derives the content type from the catalog: a course id is a course, a run key a course run; an unknown key is refused", async () => {
    shop = await openEnterprise();
    const c = await course(shop);
    const byCourse = await intend(shop, c.courseId);
    expect(byCourse.status).toBe(201);
    expect(byCourse.body).toMatchObject({
      intentionId: expect.stringMatching(/^dei_/),
      tenantId: ENTERPRISE,
      contentKey: c.courseId,
      contentType: "course",
      courseId: c.courseId,
      removedAt: null,
    });
    const byRun = await intend(shop, c.runKey);
    expect(byRun.body).toMatchObject({ contentType: "course_run", courseId: c.courseId });
    const unknown = await intend(shop, "crs_nowhere");
    expect(unknown.status).toBe(422);
    expect(unknown.body.code).toBe("DEFAULT_ENROLLMENT.CONTENT_UNKNOWN");
    const typed = await intend(shop, c.courseId, { contentType: "course_run" });
    expect(typed.status).toBe(400);
  });

  it("keeps one active intention per key, soft-deletes, and re-adds a removed key only when restore is asked for", async () => {
    shop = await openEnterprise();
    const c = await course(shop);
    const first = await intend(shop, c.courseId);
    expect((await intend(shop, c.courseId)).body.code).toBe("DEFAULT_ENROLLMENT.INTENTION_EXISTS");
    const removed = await shop.http("DELETE", `${base}/default-enrollment-intentions/${first.body.intentionId}`, { token: shop.orgAdmin });
    expect(removed.status).toBe(200);
    expect(removed.body.removedAt).toBe(shop.t.clock.now().toISOString());
    expect(
      (await shop.http("DELETE", `${base}/default-enrollment-intentions/${first.body.intentionId}`, { token: shop.orgAdmin })).status,
    ).toBe(409);
    expect((await shop.http("GET", `${base}/default-enrollment-intentions`, { token: shop.orgAdmin })).body.items).toEqual([]);
    const all = await shop.http("GET", `${base}/default-enrollment-intentions?includeRemoved=true`, { token: shop.orgAdmin });
    expect(all.body.items).toEqual([expect.objectContaining({ intentionId: first.body.intentionId, removedAt: expect.any(String) })]);

    const again = await intend(shop, c.courseId);
    expect(again.status).toBe(409);
    expect(again.body.code).toBe("DEFAULT_ENROLLMENT.INTENTION_REMOVED");
    const restored = await intend(shop, c.courseId, { restore: true });
    expect(restored.status).toBe(200);
    expect(restored.body).toMatchObject({ intentionId: first.body.intentionId, removedAt: null, restored: true });
    expect((await shop.http("GET", `${base}/default-enrollment-intentions`, { token: shop.orgAdmin })).body.items).toHaveLength(1);
  });

  it("lets only this enterprise's org admins and platform admins configure it, and only for an enterprise", async () => {
    shop = await openEnterprise();
    const c = await course(shop);
    const learner = await shop.t.token({ sub: "usr_l", tid: ENTERPRISE, roles: ["learner"] });
    const otherAdmin = await shop.t.token({ sub: "usr_o", tid: "ten_other", roles: ["org_admin"] });
    for (const token of [learner, otherAdmin]) {
      const response = await shop.http("POST", `${base}/default-enrollment-intentions`, { token, body: { contentKey: c.courseId } });
      expect(response.status).toBe(403);
      expect((await shop.http("GET", `${base}/default-enrollment-intentions`, { token })).status).toBe(403);
    }
    expect(
      (await shop.http("POST", `${base}/default-enrollment-intentions`, { token: shop.admin, body: { contentKey: c.courseId } })).status,
    ).toBe(201);
    await shop.http("POST", "/api/v1/tenants", { token: shop.admin, body: { tenantId: "ten_org", name: "Org", kind: "organization" } });
    const notEnterprise = await shop.http("POST", `/api/v1/enterprises/ten_org/default-enrollment-intentions`, {
      token: shop.admin,
      body: { contentKey: c.courseId },
    });
    expect(notEnterprise.status).toBe(422);
    expect(notEnterprise.body.code).toBe("DEFAULT_ENROLLMENT.NOT_AN_ENTERPRISE");
    const rows = await shop.t.app.kernel.db.tx(
      async (tx) => (await tx.query(`SELECT count(*)::int AS n FROM enrollment.default_enrollment_intentions`)).rows[0],
    );
    expect(rows).toEqual({ n: 1 });
  });
});
