import type { EnrollInput } from "../../src/contexts/enrollment/api.js";
import { newId } from "../../src/platform/ids.js";
import { call, type TestApp } from "../support/test-app.js";

/** Shared helpers for the enrollment integration tests. */
export const api = (t: TestApp) => t.app.contexts.enrollment.api;
export const deps = (t: TestApp) => t.app.contexts.enrollment.deps;
export const ctx = { correlationId: "test-flow" };

export function input(overrides: Partial<EnrollInput> = {}): EnrollInput {
  return {
    tenantId: "ten_1",
    userId: "usr_1",
    courseId: "crs_1",
    courseVersionId: "cv_1",
    source: { kind: "license", ref: "lcn_1" },
    licenseId: "lcn_1",
    orderId: "ord_1",
    ...overrides,
  };
}

export async function serviceToken(t: TestApp): Promise<string> {
  return t.token({ sub: "svc_progress", tid: "ten_1", roles: ["service"] });
}

/** Feeds an upstream event through POST /api/v1/events/ingest, as another service would. */
export async function ingest(
  t: TestApp,
  type: string,
  payload: Record<string, unknown>,
  options: { eventId?: string; tenantId?: string | null } = {},
) {
  const eventId = options.eventId ?? newId("evt");
  const response = await call(t.app, "POST", "/api/v1/events/ingest", {
    token: await serviceToken(t),
    body: {
      eventId,
      type,
      occurredAt: t.clock.now().toISOString(),
      source: type.split(".")[0],
      tenantId: options.tenantId === undefined ? "ten_1" : options.tenantId,
      payload,
    },
  });
  if (response.status !== 202) throw new Error(`ingest ${type} → ${response.status} ${JSON.stringify(response.body)}`);
  return eventId;
}

/** Envelopes this engine published, by wire type. */
export async function published(
  t: TestApp,
  type: string,
): Promise<Array<{ eventId: string; payload: any; partitionKey: string; causationId: string | null }>> {
  const rows = await t.app.kernel.db.query<{ envelope: any }>(`SELECT envelope FROM platform.outbox WHERE type = $1 ORDER BY position`, [
    type,
  ]);
  return rows.rows.map((r) => (typeof r.envelope === "string" ? JSON.parse(r.envelope) : r.envelope));
}

/** A query in the system scope (the default): enrollment tables are under row-level security, so a bare query sees nothing. */
export async function sys<R = Record<string, any>>(t: TestApp, text: string, params: unknown[] = []): Promise<R[]> {
  return t.app.kernel.db.tx(async (tx) => (await tx.query<R>(text, params)).rows);
}

export async function enrollmentRow(t: TestApp, id: string) {
  return (await sys(t, `SELECT * FROM enrollment.enrollments WHERE id = $1`, [id]))[0];
}
