import { expect } from "vitest";
import { call, startTestApp, type TestApp } from "../support/test-app.js";

/** A running app with the people of a marketplace story and shortcuts for its usual steps. */
export interface Market {
  t: TestApp;
  admin: string;
  provider: string;
  otherProvider: string;
  learner: string;
  service: string;
  providerId: string;
  call: (
    method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE",
    url: string,
    options?: { token?: string; body?: unknown; headers?: Record<string, string> },
  ) => ReturnType<typeof call>;
}

export async function startMarket(): Promise<Market> {
  const t = await startTestApp();
  const m: Market = {
    t,
    admin: await t.token({ sub: "usr_admin", tid: "ten_platform", roles: ["platform_admin"] }),
    provider: await t.token({ sub: "usr_prov", tid: "ten_prov", roles: ["provider"], pid: "prv_1" }),
    otherProvider: await t.token({ sub: "usr_prov2", tid: "ten_prov2", roles: ["provider"], pid: "prv_2" }),
    learner: await t.token({ sub: "usr_learner", tid: "ten_buyer", roles: ["learner"] }),
    service: await t.token({ sub: "svc_catalog", tid: "ten_platform", roles: ["service"] }),
    providerId: "prv_1",
    call: (method, url, options) => call(t.app, method, url, options),
  };
  // The catalog's course crs_1 of prv_1, with the versions the listing stories target.
  await catalogCourse(m, "crs_1", "prv_1", ["cv_1", "cv_2", "cv_late"]);
  return m;
}

/** A course in the catalog with its versions (listings can be made only of these). */
export async function catalogCourse(m: Market, courseId: string, providerId: string, versions: string[]): Promise<void> {
  const course = await m.call("POST", "/api/v1/catalog/courses", {
    token: m.admin,
    body: { courseId, providerId, title: `Course ${courseId}` },
  });
  expect(course.status, JSON.stringify(course.body)).toBe(201);
  for (const courseVersionId of versions) {
    const version = await m.call("POST", `/api/v1/catalog/courses/${courseId}/versions`, {
      token: m.admin,
      body: { courseVersionId, label: courseVersionId },
    });
    expect(version.status, JSON.stringify(version.body)).toBe(201);
  }
}

let seq = 0;
export async function ingest(m: Market, type: string, payload: Record<string, unknown>): Promise<void> {
  const response = await m.call("POST", "/api/v1/events/ingest", {
    token: m.service,
    body: {
      eventId: `evt_up_${process.pid}_${seq++}`,
      type,
      occurredAt: m.t.clock.now().toISOString(),
      source: type.split(".")[0],
      payload,
    },
  });
  expect(response.status).toBe(202);
}

/** Provider prv_1 with verified KYC, as the marketplace knows it (through the event). */
export async function verifiedProvider(m: Market, providerId = "prv_1"): Promise<void> {
  await ingest(m, "tenant.provider.kyc_verified.v1", { providerId });
  await m.t.settle();
}

export async function readyVersion(m: Market, courseId: string, courseVersionId: string): Promise<void> {
  await ingest(m, "catalog.course_version.published.v1", { courseId, courseVersionId });
  await ingest(m, "content.play_package.built.v1", { courseId, courseVersionId });
  await m.t.settle();
}

export async function draftListing(m: Market, body: Record<string, unknown> = {}): Promise<string> {
  const response = await m.call("POST", "/api/v1/listings", {
    token: m.provider,
    body: { courseId: "crs_1", courseVersionId: "cv_1", title: "TypeScript in depth", ...body },
  });
  expect(response.status, JSON.stringify(response.body)).toBe(201);
  return response.body.listingId as string;
}

export async function addPlan(
  m: Market,
  listingId: string,
  body: Record<string, unknown> = { kind: "one_time", amount: 4900, currency: "USD" },
) {
  const response = await m.call("POST", `/api/v1/listings/${listingId}/plans`, { token: m.provider, body });
  expect(response.status, JSON.stringify(response.body)).toBe(201);
  return response.body as { planId: string; version: number };
}

/** Draft → submitted → approved → live, with KYC and version readiness satisfied. */
export async function liveListing(m: Market, body: Record<string, unknown> = {}, plan?: Record<string, unknown>): Promise<string> {
  const listingId = await draftListing(m, body);
  await addPlan(m, listingId, plan);
  for (const [step, token] of [
    ["submit", m.provider],
    ["approve", m.admin],
    ["go-live", m.provider],
  ] as const) {
    const response = await m.call("POST", `/api/v1/listings/${listingId}/${step}`, { token });
    expect(response.status, `${step}: ${JSON.stringify(response.body)}`).toBe(200);
  }
  return listingId;
}

export async function count(m: Market, table: string): Promise<number> {
  const result = await m.t.app.kernel.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`);
  return Number(result.rows[0]!.n);
}

/** Published events of a type about an aggregate, from the ops log. */
export async function publishedEvents(m: Market, query: string): Promise<any[]> {
  await m.t.settle();
  const response = await m.call("GET", `/api/v1/ops/events?${query}`, { token: m.admin });
  expect(response.status).toBe(200);
  return response.body.items;
}
