import { afterEach, describe, expect, it } from "vitest";
import type { Shop } from "../orders/purchase-support.js";
import { course, intention, join, openEnterprise, siteLicense, status } from "../default-enrollments/support.js";

const DAY = 24 * 60 * 60_000;

let shops: Shop[] = [];
afterEach(async () => {
  await Promise.all(shops.map((shop) => shop.t.stop()));
  shops = [];
});

// Each app builds its own context modules: nothing a context holds (ports, caches, the clock its
// ports read) is shared with another app in the process. Before issue 19 item 3, enrollment was one
// module per process whose ports the last app to start re-pointed at its own clock.
describe("two apps in one process", () => {
  it("each sees its own clock: a run over in one app is still open in the other", async () => {
    const early = await openEnterprise();
    shops.push(early);
    const late = await openEnterprise();
    shops.push(late);
    for (const shop of shops) {
      const c = await course(shop, { endsAt: "2026-04-15T00:00:00Z" });
      await siteLicense(shop, c);
      await intention(shop, c.courseId);
    }
    // The app started last moves past the run's end; the first one stays on 1 March.
    late.t.clock.advance(60 * DAY);

    await join(early, "usr_ann");
    await join(late, "usr_ann");

    expect((await status(early, "usr_ann"))[0]).toMatchObject({ status: "already_enrolled" });
    expect((await status(late, "usr_ann"))[0]).toMatchObject({ status: "needs_enrollment.not_enrollable", reason: "no_enrollable_run" });
    expect(early.t.app.contexts.enrollment).not.toBe(late.t.app.contexts.enrollment);
  }, 180_000); // two apps, each with a purchase: twice a one-app test's work
});
