import { afterEach, describe, expect, it } from "vitest";
import { TenantMemberJoined } from "../../src/contracts/tenancy.js";
import { envelope } from "../../src/platform/events/registry.js";
import { newId } from "../../src/platform/ids.js";
import type { Shop } from "../orders/purchase-support.js";
import { onPostgres } from "../support/test-app.js";
import {
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
} from "./support.js";

let shop: Shop;
afterEach(async () => shop?.t.stop());

async function count(shop: Shop, sql: string, params: unknown[] = []): Promise<number> {
  return shop.t.app.kernel.db.tx(async (tx) => Number((await tx.query<{ n: number }>(sql, params)).rows[0]!.n));
}

describe("joining more than once realizes each intention once", () => {
  it("one enrollment per intention after a redelivered event, a second join event and a repeated on-demand realization", async () => {
    shop = await openEnterprise();
    const a = await course(shop);
    const b = await course(shop);
    await siteLicense(shop, a);
    await siteLicense(shop, b);
    await intention(shop, a.courseId);
    await intention(shop, b.runKey);

    await join(shop, "usr_twice");
    const eventId = await ingestJoin(shop, "usr_twice"); // an upstream tenant service says it too
    await ingestJoin(shop, "usr_twice", eventId); // and redelivers it
    await shop.t.settle();
    for (let i = 0; i < 2; i++) {
      const realize = await shop.http("POST", `${base}/learners/usr_twice/default-enrollments/realize`, { token: shop.orgAdmin });
      expect(realize.status).toBe(200);
      expect(realize.body.realized).toEqual([]);
    }
    expect(await defaultEnrollments(shop, "usr_twice")).toHaveLength(2);
    expect(await count(shop, `SELECT count(*)::int AS n FROM enrollment.default_enrollment_realizations WHERE user_id = 'usr_twice'`)).toBe(
      2,
    );
    expect(await events(shop, "enterprise.default_enrollment.realized.v1")).toHaveLength(2);
    expect((await events(shop, "enrollment.created.v1")).filter((e) => e.payload.userId === "usr_twice")).toHaveLength(2);
  });

  it("refuses to realize on demand for someone who is not a member", async () => {
    shop = await openEnterprise();
    const response = await shop.http("POST", `${base}/learners/usr_stranger/default-enrollments/realize`, { token: shop.orgAdmin });
    expect(response.status).toBe(422);
    expect(response.body.code).toBe("DEFAULT_ENROLLMENT.NOT_A_MEMBER");
  });

  it.runIf(onPostgres)(
    "realizes every applicable intention exactly once when 1,000 learners join at once (with duplicate joins in parallel)",
    async () => {
      shop = await openEnterprise();
      const courses = [await course(shop), await course(shop), await course(shop)];
      for (const c of courses) await siteLicense(shop, c);
      for (const c of courses) await intention(shop, c.courseId);
      const uncovered = await course(shop); // in no license: reported, not realized
      await intention(shop, uncovered.courseId);

      const learners = Array.from({ length: 1_000 }, (_, i) => `usr_bulk_${i}`);
      const { kernel } = shop.t.app;
      const joined = (userId: string) =>
        envelope(
          TenantMemberJoined,
          { tenantId: ENTERPRISE, userId },
          { eventId: newId("evt"), occurredAt: shop.t.clock.now(), tenantId: ENTERPRISE },
          { correlationId: "bulk-join" },
        );
      // Every learner joins once in bulk, and a quarter of them a second time through ingest, concurrently.
      await Promise.all([
        ...Array.from({ length: 10 }, (_, chunk) =>
          kernel.db.tx((tx) => kernel.outbox.append(tx, learners.slice(chunk * 100, chunk * 100 + 100).map(joined))),
        ),
        ...learners.filter((_, i) => i % 4 === 0).map((userId) => ingestJoin(shop, userId)),
      ]);
      await shop.t.settle(180_000);

      expect(await count(shop, `SELECT count(*)::int AS n FROM enrollment.default_enrollment_realizations`)).toBe(3_000);
      expect(
        await count(
          shop,
          `SELECT count(*)::int AS n FROM (SELECT intention_id, user_id FROM enrollment.default_enrollment_realizations GROUP BY 1, 2 HAVING count(*) > 1) d`,
        ),
      ).toBe(0);
      expect(await count(shop, `SELECT count(*)::int AS n FROM enrollment.enrollments WHERE source_kind = 'default_enrollment'`)).toBe(
        3_000,
      );
      expect(
        await count(shop, `SELECT count(*)::int AS n FROM platform.outbox WHERE type = 'enterprise.default_enrollment.realized.v1'`),
      ).toBe(3_000);
      expect(await count(shop, `SELECT count(*)::int AS n FROM platform.dead_letters`)).toBe(0);
    },
    300_000,
  );
});
