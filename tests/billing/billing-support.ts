import type { TestApp } from "../support/test-app.js";
import { SYSTEM_SCOPE } from "../../src/platform/db/db.js";

export interface StoredEvent {
  type: string;
  correlationId: string;
  partitionKey: string;
  tenantId: string | null;
  payload: Record<string, any>;
}

/** Billing's events in outbox order, optionally only those of one type or one correlation (order). */
export async function billingEvents(t: TestApp, filter: { type?: string; correlationId?: string } = {}): Promise<StoredEvent[]> {
  const rows = await t.app.kernel.db.query<{ envelope: any }>(
    `SELECT envelope FROM platform.outbox WHERE type LIKE 'billing.%' AND ($1::text IS NULL OR type = $1) AND ($2::text IS NULL OR correlation_id = $2) ORDER BY position`,
    [filter.type ?? null, filter.correlationId ?? null],
  );
  return rows.rows.map(({ envelope }) => ({
    type: envelope.type,
    correlationId: envelope.correlationId,
    partitionKey: envelope.partitionKey,
    tenantId: envelope.tenantId,
    payload: envelope.payload,
  }));
}

export async function count(t: TestApp, sql: string, params: unknown[] = []): Promise<number> {
  // The system scope: billing tables are row-level-secured by tenant.
  const rows = await t.app.kernel.db.tx((tx) => tx.query<{ n: number | string }>(sql, params), { tenantId: SYSTEM_SCOPE });
  return Number(rows.rows[0]!.n);
}
