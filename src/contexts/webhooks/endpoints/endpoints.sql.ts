import type { Sql } from "../../../platform/db/db.js";
import type { DisabledReason, Endpoint, EndpointStatus } from "./endpoint.domain.js";

interface EndpointRow {
  endpoint_id: string;
  tenant_id: string;
  url: string;
  events: string[];
  status: EndpointStatus;
  disabled_reason: DisabledReason | null;
  created_at: Date | string;
}

const COLUMNS = `endpoint_id, tenant_id, url, events, status, disabled_reason, created_at`;

const toEndpoint = (row: EndpointRow): Endpoint => ({
  endpointId: row.endpoint_id,
  tenantId: row.tenant_id,
  url: row.url,
  events: row.events,
  status: row.status,
  disabledReason: row.disabled_reason,
  createdAt: new Date(row.created_at),
});

export async function insertEndpoint(
  sql: Sql,
  endpoint: { endpointId: string; tenantId: string; url: string; events: string[]; secret: string; createdBy: string; at: Date },
): Promise<Endpoint> {
  const result = await sql.query<EndpointRow>(
    `INSERT INTO webhooks.endpoints (endpoint_id, tenant_id, url, events, secret, created_by, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING ${COLUMNS}`,
    [endpoint.endpointId, endpoint.tenantId, endpoint.url, endpoint.events, endpoint.secret, endpoint.createdBy, endpoint.at],
  );
  return toEndpoint(result.rows[0]!);
}

export async function findEndpoint(sql: Sql, endpointId: string): Promise<Endpoint | null> {
  const result = await sql.query<EndpointRow>(`SELECT ${COLUMNS} FROM webhooks.endpoints WHERE endpoint_id = $1`, [endpointId]);
  return result.rows[0] ? toEndpoint(result.rows[0]) : null;
}

/** An endpoint's signing secret (for a replayed creation's answer: the idempotency record never holds it). */
export async function endpointSecret(sql: Sql, endpointId: string): Promise<string | null> {
  const result = await sql.query<{ secret: string }>(`SELECT secret FROM webhooks.endpoints WHERE endpoint_id = $1`, [endpointId]);
  return result.rows[0]?.secret ?? null;
}

/** The caller's scope decides whose endpoints these are (row-level security); oldest first, after `after`. */
export async function endpointsOf(sql: Sql, tenantId: string, page: { after?: string; limit: number }): Promise<Endpoint[]> {
  const result = await sql.query<EndpointRow>(
    `SELECT ${COLUMNS} FROM webhooks.endpoints
      WHERE tenant_id = $1 AND ($2::text IS NULL OR endpoint_id > $2) ORDER BY endpoint_id LIMIT $3`,
    [tenantId, page.after ?? null, page.limit],
  );
  return result.rows.map(toEndpoint);
}

/**
 * Disables an enabled endpoint (a disabled one keeps its first reason); null: no such endpoint. Its
 * pending deliveries become `canceled` (final): nothing will send them, so nothing should keep them
 * in the pending indexes the delivery worker scans.
 */
export async function disableEndpoint(sql: Sql, endpointId: string, reason: DisabledReason, at: Date): Promise<Endpoint | null> {
  await sql.query(
    `UPDATE webhooks.endpoints SET status = 'disabled', disabled_reason = $2, disabled_at = $3 WHERE endpoint_id = $1 AND status = 'enabled'`,
    [endpointId, reason, at],
  );
  await sql.query(
    `UPDATE webhooks.deliveries SET status = 'canceled', next_attempt_at = NULL WHERE endpoint_id = $1 AND status = 'pending'`,
    [endpointId],
  );
  return findEndpoint(sql, endpointId);
}
