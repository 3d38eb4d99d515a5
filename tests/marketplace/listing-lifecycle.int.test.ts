import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  addPlan,
  catalogCourse,
  count,
  draftListing,
  ingest,
  publishedEvents,
  readyVersion,
  startMarket,
  verifiedProvider,
  type Market,
} from "./marketplace-fixture.js";

let m: Market;
beforeAll(async () => {
  m = await startMarket();
  await verifiedProvider(m);
  await readyVersion(m, "crs_1", "cv_1");
});
afterAll(async () => m?.t.stop());

type Status = "draft" | "submitted" | "approved" | "live" | "suspended";
const path: Array<[string, () => string, Status, Record<string, unknown>?]> = [
  ["submit", () => m.provider, "submitted"],
  ["approve", () => m.admin, "approved"],
  ["go-live", () => m.provider, "live"],
  ["suspend", () => m.admin, "suspended", { reason: "complaint" }],
];

/** A listing brought to `status` over HTTP. */
async function listingIn(status: Status): Promise<string> {
  const listingId = await draftListing(m);
  await addPlan(m, listingId);
  for (const [step, token, reached, body] of path) {
    if (status === "draft") break;
    const response = await m.call("POST", `/api/v1/listings/${listingId}/${step}`, { token: token(), body });
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    if (reached === status) break;
  }
  return listingId;
}

const commands = {
  submit: { token: () => m.provider, body: undefined, from: { draft: "submitted" }, refusal: "LISTING.NOT_DRAFT" },
  approve: { token: () => m.admin, body: undefined, from: { submitted: "approved" }, refusal: "LISTING.NOT_SUBMITTED" },
  reject: { token: () => m.admin, body: { reason: "screenshots missing" }, from: { submitted: "draft" }, refusal: "LISTING.NOT_SUBMITTED" },
  "go-live": { token: () => m.provider, body: undefined, from: { approved: "live" }, refusal: "LISTING.NOT_APPROVED" },
  suspend: { token: () => m.admin, body: { reason: "complaint" }, from: { live: "suspended" }, refusal: "LISTING.NOT_LIVE" },
  reinstate: { token: () => m.admin, body: { reason: "resolved" }, from: { suspended: "live" }, refusal: "LISTING.NOT_SUSPENDED" },
  retarget: {
    token: () => m.provider,
    body: { courseVersionId: "cv_2" },
    from: { draft: "draft", submitted: "draft", approved: "draft", live: "draft" },
    refusal: "LISTING.SUSPENDED",
  },
} as const;

describe("listing lifecycle over HTTP", () => {
  for (const [command, rule] of Object.entries(commands)) {
    for (const status of ["draft", "submitted", "approved", "live", "suspended"] as const) {
      const to = (rule.from as Partial<Record<Status, Status>>)[status];
      it(`${command} on a ${status} listing ${to ? `moves it to ${to}` : `is refused with ${rule.refusal}`}`, async () => {
        const listingId = await listingIn(status);
        const outboxBefore = await count(m, "platform.outbox");
        const response = await m.call("POST", `/api/v1/listings/${listingId}/${command}`, { token: rule.token(), body: rule.body });
        const after = await m.call("GET", `/api/v1/listings/${listingId}`, { token: m.admin });
        if (to) {
          expect(response.status, JSON.stringify(response.body)).toBe(200);
          expect(after.body.status).toBe(to);
        } else {
          expect(response.status).toBe(409);
          expect(response.headers["content-type"]).toContain("application/problem+json");
          expect(response.body.code).toBe(rule.refusal);
          expect(after.body.status).toBe(status);
          expect(await count(m, "platform.outbox")).toBe(outboxBefore);
        }
      });
    }
  }
});

describe("listing guards", () => {
  it("refuses approval while the provider's KYC is not verified, and approves once it is", async () => {
    const kycPending = await m.t.token({ sub: "usr_p3", tid: "ten_p3", roles: ["provider"], pid: "prv_3" });
    await catalogCourse(m, "crs_3", "prv_3", ["cv_3"]);
    const created = await m.call("POST", "/api/v1/listings", {
      token: kycPending,
      body: { courseId: "crs_3", courseVersionId: "cv_3", title: "Pending KYC" },
    });
    const listingId = created.body.listingId;
    expect((await m.call("POST", `/api/v1/listings/${listingId}/submit`, { token: kycPending })).status).toBe(200);
    const refused = await m.call("POST", `/api/v1/listings/${listingId}/approve`, { token: m.admin });
    expect(refused.status).toBe(422);
    expect(refused.body.code).toBe("LISTING.PROVIDER_KYC_REQUIRED");

    await verifiedProvider(m, "prv_3");
    const approved = await m.call("POST", `/api/v1/listings/${listingId}/approve`, { token: m.admin });
    expect(approved.status).toBe(200);
    expect(approved.body.status).toBe("approved");
  });

  it("learns KYC from the admin route too (through the announced event)", async () => {
    await m.call("POST", "/api/v1/tenants", { token: m.admin, body: { tenantId: "ten_p4", name: "P4 Ltd", kind: "organization" } });
    await m.call("POST", "/api/v1/providers", { token: m.admin, body: { providerId: "prv_4", tenantId: "ten_p4", name: "P4" } });
    const token = await m.t.token({ sub: "usr_p4", tid: "ten_p4", roles: ["provider"], pid: "prv_4" });
    await catalogCourse(m, "crs_4", "prv_4", ["cv_4"]);
    const listingId = (
      await m.call("POST", "/api/v1/listings", { token, body: { courseId: "crs_4", courseVersionId: "cv_4", title: "P4 course" } })
    ).body.listingId;
    await m.call("POST", `/api/v1/listings/${listingId}/submit`, { token });
    expect((await m.call("POST", `/api/v1/providers/prv_4/kyc`, { token: m.admin, body: { status: "verified" } })).status).toBe(200);
    await m.t.settle();
    expect((await m.call("POST", `/api/v1/listings/${listingId}/approve`, { token: m.admin })).status).toBe(200);
  });

  it("refuses going live until the exact version is published and its play package built", async () => {
    const listingId = await draftListing(m, { courseVersionId: "cv_late" });
    await addPlan(m, listingId);
    await m.call("POST", `/api/v1/listings/${listingId}/submit`, { token: m.provider });
    await m.call("POST", `/api/v1/listings/${listingId}/approve`, { token: m.admin });
    const goLive = () => m.call("POST", `/api/v1/listings/${listingId}/go-live`, { token: m.provider });

    expect((await goLive()).body.code).toBe("LISTING.VERSION_NOT_PUBLISHED");
    await ingest(m, "catalog.course_version.published.v1", { courseId: "crs_1", courseVersionId: "cv_late" });
    await m.t.settle();
    const unbuilt = await goLive();
    expect(unbuilt.status).toBe(422);
    expect(unbuilt.body.code).toBe("LISTING.PLAY_PACKAGE_NOT_BUILT");
    // A package built for the same version id under another course does not count.
    await ingest(m, "content.play_package.built.v1", { courseId: "crs_1", courseVersionId: "cv_late" });
    await m.t.settle();
    expect((await goLive()).status).toBe(200);
  });

  it("does not list a version id that belongs to another course", async () => {
    await readyVersion(m, "crs_other", "cv_other");
    const refused = await m.call("POST", "/api/v1/listings", {
      token: m.provider,
      body: { courseId: "crs_1", courseVersionId: "cv_other", title: "t" },
    });
    expect(refused.status).toBe(422);
    expect(refused.body).toMatchObject({ code: "LISTING.COURSE_VERSION_UNKNOWN", errors: [{ path: "body/courseVersionId" }] });
  });

  it("refuses going live without a pricing plan", async () => {
    const listingId = await draftListing(m);
    await m.call("POST", `/api/v1/listings/${listingId}/submit`, { token: m.provider });
    await m.call("POST", `/api/v1/listings/${listingId}/approve`, { token: m.admin });
    const response = await m.call("POST", `/api/v1/listings/${listingId}/go-live`, { token: m.provider });
    expect(response.status).toBe(422);
    expect(response.body.code).toBe("LISTING.NO_PLANS");
  });

  it("re-targeting a live listing takes it off sale until it is approved again", async () => {
    const listingId = await listingIn("live");
    const retarget = await m.call("POST", `/api/v1/listings/${listingId}/retarget`, {
      token: m.provider,
      body: { courseVersionId: "cv_2" },
    });
    expect(retarget.body).toMatchObject({ status: "draft", courseVersionId: "cv_2" });
    expect((await m.call("GET", `/api/v1/listings/${listingId}`)).status).toBe(404);
    await m.call("POST", `/api/v1/listings/${listingId}/submit`, { token: m.provider });
    await m.call("POST", `/api/v1/listings/${listingId}/approve`, { token: m.admin });
    expect((await m.call("POST", `/api/v1/listings/${listingId}/go-live`, { token: m.provider })).body.code).toBe(
      "LISTING.VERSION_NOT_PUBLISHED",
    );
    await readyVersion(m, "crs_1", "cv_2");
    expect((await m.call("POST", `/api/v1/listings/${listingId}/go-live`, { token: m.provider })).status).toBe(200);
  });

  it("reinstates without a stated reason, and refuses to reject or suspend without one", async () => {
    const suspended = await listingIn("suspended");
    const reinstated = await m.call("POST", `/api/v1/listings/${suspended}/reinstate`, { token: m.admin });
    expect(reinstated.status, JSON.stringify(reinstated.body)).toBe(200);
    const live = await listingIn("live");
    const noReason = await m.call("POST", `/api/v1/listings/${live}/suspend`, { token: m.admin, body: {} });
    expect(noReason.status).toBe(400);
    expect(noReason.body.code).toBe("REQUEST.VALIDATION_FAILED");
  });

  it("refuses re-targeting to the version already listed", async () => {
    const listingId = await draftListing(m);
    const response = await m.call("POST", `/api/v1/listings/${listingId}/retarget`, {
      token: m.provider,
      body: { courseVersionId: "cv_1" },
    });
    expect(response.status).toBe(422);
    expect(response.body.code).toBe("LISTING.SAME_VERSION");
  });

  it("refuses, in the database, to change the course a listing sells (orders rely on it)", async () => {
    const listingId = await draftListing(m);
    const { db } = m.t.app.kernel;
    await expect(
      db.query(`UPDATE marketplace.listings SET course_id = 'crs_other' WHERE listing_id = $1`, [listingId]),
    ).rejects.toMatchObject({ code: "23001" });
    await db.query(`UPDATE marketplace.listings SET course_id = course_id, title = 'Renamed' WHERE listing_id = $1`, [listingId]);
    expect(
      (
        await db.query<{ course_id: string; title: string }>(`SELECT course_id, title FROM marketplace.listings WHERE listing_id = $1`, [
          listingId,
        ])
      ).rows[0],
    ).toEqual({ course_id: "crs_1", title: "Renamed" });
  });
});

describe("who may act on a listing", () => {
  it("refuses another provider's submit, go-live, retarget, edit and pricing with 403", async () => {
    const draft = await draftListing(m);
    const approved = await listingIn("approved");
    const attempts = [
      m.call("POST", `/api/v1/listings/${draft}/submit`, { token: m.otherProvider }),
      m.call("POST", `/api/v1/listings/${approved}/go-live`, { token: m.otherProvider }),
      m.call("POST", `/api/v1/listings/${draft}/retarget`, { token: m.otherProvider, body: { courseVersionId: "cv_9" } }),
      m.call("PATCH", `/api/v1/listings/${draft}`, { token: m.otherProvider, body: { title: "Mine now" } }),
      m.call("POST", `/api/v1/listings/${draft}/plans`, { token: m.otherProvider, body: { kind: "one_time", amount: 1, currency: "USD" } }),
    ];
    for (const response of await Promise.all(attempts)) {
      expect(response.status).toBe(403);
      expect(response.body.code).toBe("LISTING.NOT_OWNER");
    }
    expect((await m.call("GET", `/api/v1/listings/${draft}`, { token: m.admin })).body).toMatchObject({
      status: "draft",
      title: "TypeScript in depth",
      plans: [],
    });
  });

  it("refuses a provider approving, rejecting, suspending or reinstating with 403", async () => {
    const submitted = await listingIn("submitted");
    const live = await listingIn("live");
    const suspended = await listingIn("suspended");
    for (const [url, body] of [
      [`/api/v1/listings/${submitted}/approve`, undefined],
      [`/api/v1/listings/${submitted}/reject`, { reason: "x" }],
      [`/api/v1/listings/${live}/suspend`, { reason: "x" }],
      [`/api/v1/listings/${suspended}/reinstate`, { reason: "x" }],
    ] as const) {
      const response = await m.call("POST", url, { token: m.provider, body });
      expect(response.status).toBe(403);
      expect(response.body.code).toBe("AUTH.FORBIDDEN");
    }
  });

  it("refuses a platform admin or a learner acting as the provider with 403, and no token with 401", async () => {
    const draft = await draftListing(m);
    expect((await m.call("POST", `/api/v1/listings/${draft}/submit`, { token: m.admin })).status).toBe(403);
    expect((await m.call("POST", `/api/v1/listings/${draft}/submit`, { token: m.learner })).status).toBe(403);
    expect(
      (await m.call("POST", "/api/v1/listings", { token: m.learner, body: { courseId: "c", courseVersionId: "v", title: "t" } })).status,
    ).toBe(403);
    expect((await m.call("POST", `/api/v1/listings/${draft}/submit`)).status).toBe(401);
    const noPid = await m.t.token({ sub: "usr_x", tid: "ten_x", roles: ["provider"] });
    expect(
      (await m.call("POST", "/api/v1/listings", { token: noPid, body: { courseId: "c", courseVersionId: "v", title: "t" } })).body.code,
    ).toBe("LISTING.PROVIDER_ID_MISSING");
  });

  it("hides a listing that is not live from everyone but its provider and admins", async () => {
    const draft = await draftListing(m);
    expect((await m.call("GET", `/api/v1/listings/${draft}`)).status).toBe(404);
    expect((await m.call("GET", `/api/v1/listings/${draft}`, { token: m.otherProvider })).status).toBe(404);
    expect((await m.call("GET", `/api/v1/listings/${draft}`, { token: m.provider })).status).toBe(200);
    expect((await m.call("GET", `/api/v1/listings/lst_missing`, { token: m.admin })).body.code).toBe("LISTING.NOT_FOUND");
  });
});

describe("listing copy", () => {
  it("keeps marketing copy, screenshots and featured assets, editable while a draft", async () => {
    const listingId = await draftListing(m, { marketingCopy: "Learn it all", screenshots: ["https://cdn.example.com/s1.png"] });
    const edited = await m.call("PATCH", `/api/v1/listings/${listingId}`, {
      token: m.provider,
      body: { featuredAssets: ["https://cdn.example.com/hero.mp4"], description: "Generics and more" },
    });
    expect(edited.status).toBe(200);
    expect(edited.body).toMatchObject({
      marketingCopy: "Learn it all",
      screenshots: ["https://cdn.example.com/s1.png"],
      featuredAssets: ["https://cdn.example.com/hero.mp4"],
      description: "Generics and more",
    });
    await m.call("POST", `/api/v1/listings/${listingId}/submit`, { token: m.provider });
    const late = await m.call("PATCH", `/api/v1/listings/${listingId}`, { token: m.provider, body: { title: "Changed after review" } });
    expect(late.status).toBe(409);
    expect(late.body.code).toBe("LISTING.NOT_EDITABLE");
  });

  it("refuses a malformed listing with 400 and writes nothing", async () => {
    const before = await count(m, "marketplace.listings");
    for (const body of [
      { courseId: "crs_1", courseVersionId: "cv_1" },
      { courseId: "crs_1", courseVersionId: "cv_1", title: "t", extra: true },
      { courseId: "crs_1", courseVersionId: "cv_1", title: "t", screenshots: ["not a url"] },
      { courseId: 5, courseVersionId: "cv_1", title: "t" },
    ]) {
      const response = await m.call("POST", "/api/v1/listings", { token: m.provider, body });
      expect(response.status).toBe(400);
      expect(response.headers["content-type"]).toContain("application/problem+json");
      expect(response.body.code).toBe("REQUEST.VALIDATION_FAILED");
    }
    expect(await count(m, "marketplace.listings")).toBe(before);
  });
});

describe("listing events", () => {
  it("publishes submitted, approved, live, suspended, reinstated and rejected with their contract payloads", async () => {
    const listingId = await listingIn("suspended");
    await m.call("POST", `/api/v1/listings/${listingId}/reinstate`, { token: m.admin, body: { reason: "appeal upheld" } });
    const rejectedId = await listingIn("submitted");
    await m.call("POST", `/api/v1/listings/${rejectedId}/reject`, { token: m.admin, body: { reason: "blurry screenshots" } });

    const events = await publishedEvents(m, `aggregateId=${listingId}`);
    expect(events.map((e) => e.type)).toEqual([
      "marketplace.listing.submitted.v1",
      "marketplace.listing.approved.v1",
      "marketplace.listing.live.v1",
      "marketplace.listing.suspended.v1",
      "marketplace.listing.reinstated.v1",
    ]);
    const facts = { listingId, providerId: "prv_1", courseId: "crs_1", courseVersionId: "cv_1" };
    expect(events[0].payload).toEqual(facts);
    expect(events[3].payload).toEqual({ ...facts, reason: "complaint" });
    expect(events[4].payload).toEqual({ ...facts, reason: "appeal upheld" });
    for (const event of events) {
      expect(m.t.app.kernel.registry.validate(event.type, event.payload)).toEqual([]);
      expect(event).toMatchObject({
        source: "marketplace",
        aggregateType: "Listing",
        partitionKey: listingId,
        tenantId: "ten_prov",
        retentionClass: "operational",
      });
    }
    const rejected = await publishedEvents(m, `aggregateId=${rejectedId}&type=marketplace.listing.rejected.v1`);
    expect(rejected).toHaveLength(1);
    expect(rejected[0].payload).toEqual({
      listingId: rejectedId,
      providerId: "prv_1",
      courseId: "crs_1",
      courseVersionId: "cv_1",
      reason: "blurry screenshots",
    });
    expect(m.t.app.kernel.registry.validate(rejected[0].type, rejected[0].payload)).toEqual([]);
  });

  it("carries the request's correlation id into the event", async () => {
    const listingId = await draftListing(m);
    await m.call("POST", `/api/v1/listings/${listingId}/submit`, { token: m.provider, headers: { "x-correlation-id": "corr-submit-1" } });
    const events = await publishedEvents(m, `correlationId=corr-submit-1`);
    expect(events.map((e) => e.aggregateId)).toEqual([listingId]);
  });
});
