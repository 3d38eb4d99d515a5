import { expect } from "vitest";
import { call, startTestApp, type TestApp, type TestAppOptions } from "../support/test-app.js";

/** A marketplace with one verified provider and helpers to list courses and buy them over HTTP. */
export interface Shop {
  t: TestApp;
  admin: string;
  provider: string;
  buyer: string;
  orgAdmin: string;
  service: string;
  http: (
    method: "GET" | "POST" | "PUT" | "DELETE",
    url: string,
    options?: { token?: string; body?: unknown; headers?: Record<string, string> },
  ) => ReturnType<typeof call>;
}

let seq = 0;
const next = (prefix: string) => `${prefix}_${process.pid}_${++seq}`;

export async function openShop(options: TestAppOptions = {}): Promise<Shop> {
  const t = await startTestApp(options);
  const shop: Shop = {
    t,
    admin: await t.token({ sub: "usr_admin", tid: "ten_platform", roles: ["platform_admin"] }),
    provider: await t.token({ sub: "usr_prov", tid: "ten_prov", roles: ["provider"], pid: "prv_1" }),
    buyer: await t.token({ sub: "usr_buyer", tid: "ten_buyer", roles: ["learner"] }),
    orgAdmin: await t.token({ sub: "usr_orgadmin", tid: "ten_buyer", roles: ["org_admin"] }),
    service: await t.token({ sub: "svc_upstream", tid: "ten_platform", roles: ["service"] }),
    http: (method, url, o) => call(t.app, method, url, o),
  };
  await ingest(shop, "tenant.provider.kyc_verified.v1", { providerId: "prv_1" });
  return shop;
}

export async function ingest(shop: Shop, type: string, payload: Record<string, unknown>): Promise<void> {
  const response = await shop.http("POST", "/api/v1/events/ingest", {
    token: shop.service,
    body: { eventId: next("evt_up"), type, occurredAt: shop.t.clock.now().toISOString(), source: type.split(".")[0], payload },
  });
  expect(response.status).toBe(202);
  await shop.t.settle();
}

export interface Offer {
  listingId: string;
  planId: string;
  courseId: string;
  courseVersionId: string;
}

/** A course with a published, built version and a live listing with one plan. */
export async function liveOffer(
  shop: Shop,
  plan: Record<string, unknown> = { kind: "one_time", amount: 4900, currency: "USD" },
  listing: Record<string, unknown> = {},
): Promise<Offer> {
  const courseId = next("crs");
  const courseVersionId = next("cv");
  const course = await shop.http("POST", "/api/v1/catalog/courses", {
    token: shop.admin,
    body: { courseId, providerId: "prv_1", title: "Course " + courseId },
  });
  expect(course.status, JSON.stringify(course.body)).toBe(201);
  const version = await shop.http("POST", `/api/v1/catalog/courses/${courseId}/versions`, {
    token: shop.admin,
    body: { courseVersionId, label: "v1" },
  });
  expect(version.status, JSON.stringify(version.body)).toBe(201);
  await ingest(shop, "catalog.course_version.published.v1", { courseId, courseVersionId });
  await ingest(shop, "content.play_package.built.v1", { courseId, courseVersionId });
  const created = await shop.http("POST", "/api/v1/listings", {
    token: shop.provider,
    body: { courseId, courseVersionId, title: "TypeScript in depth " + courseId, ...listing },
  });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  const listingId = created.body.listingId as string;
  const planned = await shop.http("POST", `/api/v1/listings/${listingId}/plans`, { token: shop.provider, body: plan });
  expect(planned.status, JSON.stringify(planned.body)).toBe(201);
  for (const [step, token] of [
    ["submit", shop.provider],
    ["approve", shop.admin],
    ["go-live", shop.provider],
  ] as const) {
    const response = await shop.http("POST", `/api/v1/listings/${listingId}/${step}`, { token });
    expect(response.status, `${step}: ${JSON.stringify(response.body)}`).toBe(200);
  }
  return { listingId, planId: planned.body.planId, courseId, courseVersionId };
}

export async function buy(
  shop: Shop,
  offer: Offer,
  options: { token?: string; payment?: unknown; couponCode?: string; quantity?: number; key?: string; billingCountry?: string } = {},
) {
  return shop.http("POST", "/api/v1/orders", {
    token: options.token ?? shop.buyer,
    headers: { "idempotency-key": options.key ?? next("key") },
    body: {
      items: [{ listingId: offer.listingId, planId: offer.planId, ...(options.quantity ? { quantity: options.quantity } : {}) }],
      payment: options.payment ?? { method: "card", token: "tok_visa" },
      ...(options.couponCode ? { couponCode: options.couponCode } : {}),
      ...(options.billingCountry ? { billingCountry: options.billingCountry } : {}),
    },
  });
}

export async function order(shop: Shop, orderId: string) {
  const response = await shop.http("GET", `/api/v1/orders/${orderId}`, { token: shop.admin });
  expect(response.status).toBe(200);
  return response.body;
}

/** Event types and payloads of one order's flow, in publication order (correlationId = orderId). */
export async function flow(
  shop: Shop,
  orderId: string,
): Promise<Array<{ eventId: string; type: string; payload: any; correlationId: string; causationId: string | null }>> {
  await shop.t.settle();
  const rows = await shop.t.app.kernel.db.query<{ envelope: any }>(
    `SELECT envelope FROM platform.outbox WHERE correlation_id = $1 ORDER BY position`,
    [orderId],
  );
  return rows.rows.map((r) => r.envelope);
}

export async function sys<R = Record<string, any>>(shop: Shop, text: string, params: unknown[] = []): Promise<R[]> {
  return shop.t.app.kernel.db.tx(async (tx) => (await tx.query<R>(text, params)).rows);
}
