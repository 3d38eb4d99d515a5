import { expect } from "vitest";
import { newId } from "../../src/platform/ids.js";
import { buy, liveOffer, openShop, order, type Offer, type Shop } from "../orders/purchase-support.js";

/**
 * An enterprise (the shop's buyer tenant `ten_buyer`, made an enterprise) whose org admin buys site
 * licenses with the purchase fixtures, configures default enrollment intentions and adds learners.
 */
export const ENTERPRISE = "ten_buyer";
export const base = `/api/v1/enterprises/${ENTERPRISE}`;

export async function openEnterprise(options: Parameters<typeof openShop>[0] = {}): Promise<Shop> {
  const shop = await openShop(options);
  const tenant = await shop.http("POST", "/api/v1/tenants", {
    token: shop.admin,
    body: { tenantId: ENTERPRISE, name: "Acme Enterprise", kind: "enterprise" },
  });
  expect(tenant.status, JSON.stringify(tenant.body)).toBe(201);
  return shop;
}

let seq = 0;
export const unique = (prefix: string) => `${prefix}_${process.pid}_${++seq}`;

/** A live course (site-license plan) with one advertised, enrollable run; returns the offer and the run key. */
export async function course(
  shop: Shop,
  run: { enrollable?: boolean; advertised?: boolean; endsAt?: string } = {},
): Promise<Offer & { runKey: string }> {
  const offer = await liveOffer(shop, { kind: "site_license", amount: 250_000, currency: "USD" });
  const runKey = await addRun(shop, offer, { advertised: true, ...run });
  return { ...offer, runKey };
}

export async function addRun(
  shop: Shop,
  offer: Offer,
  run: { enrollable?: boolean; advertised?: boolean; endsAt?: string; startsAt?: string } = {},
): Promise<string> {
  const runKey = unique(`${offer.courseId}-run`);
  const response = await shop.http("POST", `/api/v1/catalog/courses/${offer.courseId}/runs`, {
    token: shop.provider,
    body: {
      runKey,
      courseVersionId: offer.courseVersionId,
      startsAt: run.startsAt ?? "2026-04-01T00:00:00Z",
      enrollable: run.enrollable ?? true,
      advertised: run.advertised ?? false,
      ...(run.endsAt ? { endsAt: run.endsAt } : {}),
    },
  });
  expect(response.status, JSON.stringify(response.body)).toBe(201);
  return runKey;
}

/** The enterprise's org admin buys a site license for the course; returns its license id. */
export async function siteLicense(shop: Shop, offer: Offer): Promise<string> {
  const placed = await buy(shop, offer, { token: shop.orgAdmin });
  expect(placed.status, JSON.stringify(placed.body)).toBe(201);
  await shop.t.settle();
  const view = await order(shop, placed.body.orderId);
  expect(view.status).toBe("fulfilled");
  return view.licenseIds[0];
}

export async function intend(shop: Shop, contentKey: string, body: Record<string, unknown> = {}) {
  return shop.http("POST", `${base}/default-enrollment-intentions`, { token: shop.orgAdmin, body: { contentKey, ...body } });
}

export async function intention(shop: Shop, contentKey: string): Promise<string> {
  const response = await intend(shop, contentKey);
  expect(response.status, JSON.stringify(response.body)).toBe(201);
  return response.body.intentionId;
}

/** The org admin adds a learner (tenancy emits tenant.member.joined.v1), and the consumers run. */
export async function join(shop: Shop, userId: string): Promise<void> {
  const response = await shop.http("POST", `/api/v1/tenants/${ENTERPRISE}/members`, { token: shop.orgAdmin, body: { userId } });
  expect(response.status, JSON.stringify(response.body)).toBe(201);
  await shop.t.settle();
}

/** A join event from an upstream tenant service through ingest (explicit eventId for redelivery tests). */
export async function ingestJoin(shop: Shop, userId: string, eventId = newId("evt")): Promise<string> {
  const response = await shop.http("POST", "/api/v1/events/ingest", {
    token: shop.service,
    body: {
      eventId,
      type: "tenant.member.joined.v1",
      occurredAt: shop.t.clock.now().toISOString(),
      source: "tenant",
      tenantId: ENTERPRISE,
      payload: { tenantId: ENTERPRISE, userId },
    },
  });
  expect(response.status, JSON.stringify(response.body)).toBe(202);
  return eventId;
}

export async function status(shop: Shop, userId: string, token = shop.orgAdmin) {
  const response = await shop.http("GET", `${base}/learners/${userId}/default-enrollments`, { token });
  expect(response.status, JSON.stringify(response.body)).toBe(200);
  return response.body.items as any[];
}

export async function events(shop: Shop, type: string): Promise<any[]> {
  const rows = await shop.t.app.kernel.db.query<{ envelope: any }>(
    `SELECT envelope FROM platform.outbox WHERE type = $1 ORDER BY position`,
    [type],
  );
  return rows.rows.map((r) => (typeof r.envelope === "string" ? JSON.parse(r.envelope) : r.envelope));
}

export async function defaultEnrollments(shop: Shop, userId: string): Promise<any[]> {
  return shop.t.app.kernel.db.tx(
    async (tx) =>
      (
        await tx.query(`SELECT * FROM enrollment.enrollments WHERE user_id = $1 AND source_kind = 'default_enrollment' ORDER BY id`, [
          userId,
        ])
      ).rows,
  );
}
