import type { Sql, Tx, Write } from "../../../platform/db/db.js";
import { DeferredRows } from "../../../platform/db/deferred-rows.js";
import { sqlText } from "../../../platform/db/sql-text.js";
import { runWrite } from "../../../platform/db/transaction.js";
import type { PaidLine, RevenueSplit } from "./revenue-share.domain.js";

export interface EarningEntry extends PaidLine, RevenueSplit {
  entryId: string;
  orderId: string;
  line: number;
  kind: "sale" | "reversal";
  /** A subscription's period (0: the order's own sale; a renewal's, from 1). */
  period?: number;
  currency: string;
  maturesAt: Date | null;
}

/** Entries only, never edits; a sale is recorded once per order line (unique index). */
export async function insertEarnings(sql: Sql, entries: readonly EarningEntry[], at: Date): Promise<void> {
  if (entries.length === 0) return;
  await runWrite(sql, earningsWrite(entries.map((entry) => ({ ...entry, at }))));
}

/**
 * Records entries with the transaction's other deferred writes: one buffer per transaction, so a
 * consumer batch's sales make one insert (and one statement text) however many orders it fulfils.
 */
export function recordEarningsAtCommit(tx: Tx, entries: readonly EarningEntry[], at: Date): void {
  tx.deferred(PENDING, () => new DeferredRows<EarningEntry & { at: Date }>(60, (rows) => [earningsWrite(rows)])).rows.push(
    ...entries.map((entry) => ({ ...entry, at })),
  );
}

const PENDING = {};

function earningsWrite(entries: ReadonlyArray<EarningEntry & { at: Date }>): Write {
  const rows = JSON.stringify(
    entries.map((e) => ({
      entry_id: e.entryId,
      provider_id: e.providerId,
      order_id: e.orderId,
      line: e.line,
      period: e.period ?? 0,
      kind: e.kind,
      gross: e.gross,
      platform_fee: e.platformFee,
      provider_amount: e.providerAmount,
      currency: e.currency,
      matures_at: e.maturesAt,
      created_at: e.at,
    })),
  );
  return {
    ctes: [
      sqlText`INSERT INTO marketplace.earnings (entry_id, provider_id, order_id, line, period, kind, gross, platform_fee, provider_amount, currency, matures_at, created_at)
       SELECT e.entry_id, e.provider_id, e.order_id, e.line, e.period, e.kind, e.gross, e.platform_fee, e.provider_amount, e.currency, e.matures_at, e.created_at
         FROM jsonb_to_recordset(${rows}::jsonb) AS e(entry_id text, provider_id text, order_id text, line int, period int, kind text, gross bigint, platform_fee bigint,
              provider_amount bigint, currency text, matures_at timestamptz, created_at timestamptz)
       ON CONFLICT DO NOTHING`,
    ],
  };
}
