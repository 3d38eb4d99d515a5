import type { Sql } from "../../../platform/db/db.js";
import { emptyBalances, type Balances, type Bucket } from "./wallet.domain.js";

/** Queries for billing.wallet_balances, wallet_operations and wallet_transactions, nothing else. */
export interface WalletKey {
  tenantId: string;
  userId: string;
  currency: string;
}

export type OperationKind = "credit" | "debit" | "refund";

export interface StoredOperation {
  operationId: string;
  kind: OperationKind;
  outcome: "applied" | "insufficient_balance" | null;
  result: unknown;
}

/**
 * Claims an idempotency key before any balance is read (invariant 7). A concurrent claim of the same
 * key waits for the first transaction, then sees its stored result.
 */
export async function claimOperation(
  sql: Sql,
  op: WalletKey & { operationId: string; idempotencyKey: string; kind: OperationKind; orderId: string | null; amount: number; now: Date },
): Promise<{ claimed: true } | { claimed: false; existing: StoredOperation }> {
  const inserted = await sql.query(
    `INSERT INTO billing.wallet_operations (operation_id, tenant_id, idempotency_key, kind, user_id, currency, order_id, amount, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
     ON CONFLICT (tenant_id, idempotency_key) DO NOTHING`,
    [op.operationId, op.tenantId, op.idempotencyKey, op.kind, op.userId, op.currency, op.orderId, op.amount, op.now],
  );
  if (inserted.rowCount > 0) return { claimed: true };
  const row = await sql.query<{ operation_id: string; kind: OperationKind; outcome: StoredOperation["outcome"]; result: unknown }>(
    `SELECT operation_id, kind, outcome, result FROM billing.wallet_operations WHERE tenant_id = $1 AND idempotency_key = $2`,
    [op.tenantId, op.idempotencyKey],
  );
  const existing = row.rows[0]!;
  return {
    claimed: false,
    existing: { operationId: existing.operation_id, kind: existing.kind, outcome: existing.outcome, result: existing.result },
  };
}

export async function finishOperation(
  sql: Sql,
  operationId: string,
  outcome: "applied" | "insufficient_balance",
  result: unknown,
): Promise<void> {
  await sql.query(`UPDATE billing.wallet_operations SET outcome = $2, result = $3 WHERE operation_id = $1`, [
    operationId,
    outcome,
    JSON.stringify(result),
  ]);
}

/** Locks the wallet's bucket rows in one fixed order (by bucket name), so two writers cannot deadlock. */
export async function lockBalances(sql: Sql, key: WalletKey): Promise<Balances> {
  const result = await sql.query<{ bucket: Bucket; balance: number | string }>(
    `SELECT bucket, balance FROM billing.wallet_balances WHERE tenant_id = $1 AND user_id = $2 AND currency = $3 ORDER BY bucket FOR UPDATE`,
    [key.tenantId, key.userId, key.currency],
  );
  const balances = emptyBalances();
  for (const row of result.rows) balances[row.bucket] = Number(row.balance);
  return balances;
}

/** A conditional decrement: even with the row locked, the WHERE and the CHECK refuse going below zero. */
export async function takeFromBucket(sql: Sql, key: WalletKey, bucket: Bucket, amount: number, now: Date): Promise<number> {
  const result = await sql.query<{ balance: number | string }>(
    `UPDATE billing.wallet_balances SET balance = balance - $5, updated_at = $6
      WHERE tenant_id = $1 AND user_id = $2 AND currency = $3 AND bucket = $4 AND balance >= $5
      RETURNING balance`,
    [key.tenantId, key.userId, key.currency, bucket, amount, now],
  );
  if (result.rowCount !== 1) throw new Error(`wallet bucket ${bucket} changed under a row lock`);
  return Number(result.rows[0]!.balance);
}

/** Adds to a bucket, creating it on first credit; returns the balance after. */
export async function addToBucket(sql: Sql, key: WalletKey, bucket: Bucket, amount: number, now: Date): Promise<number> {
  const result = await sql.query<{ balance: number | string }>(
    `INSERT INTO billing.wallet_balances (tenant_id, user_id, currency, bucket, balance, updated_at) VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT (tenant_id, user_id, currency, bucket) DO UPDATE
       SET balance = billing.wallet_balances.balance + EXCLUDED.balance, updated_at = EXCLUDED.updated_at
     RETURNING balance`,
    [key.tenantId, key.userId, key.currency, bucket, amount, now],
  );
  return Number(result.rows[0]!.balance);
}

export interface LedgerRow {
  transactionId: string;
  operationId: string;
  bucket: Bucket;
  kind: OperationKind;
  amount: number;
  balanceBefore: number;
  balanceAfter: number;
  orderId: string | null;
  reversesTransactionId: string | null;
}

export async function appendLedger(sql: Sql, key: WalletKey, rows: LedgerRow[], now: Date): Promise<void> {
  for (const row of rows) {
    await sql.query(
      `INSERT INTO billing.wallet_transactions
         (transaction_id, operation_id, tenant_id, user_id, currency, bucket, kind, amount, balance_before, balance_after, order_id, reverses_transaction_id, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
      [
        row.transactionId,
        row.operationId,
        key.tenantId,
        key.userId,
        key.currency,
        row.bucket,
        row.kind,
        row.amount,
        row.balanceBefore,
        row.balanceAfter,
        row.orderId,
        row.reversesTransactionId,
        now,
      ],
    );
  }
}

/** An order's debits with what earlier refunds have not yet returned. */
export async function refundableDebits(
  sql: Sql,
  key: WalletKey,
  orderId: string,
): Promise<Array<{ transactionId: string; bucket: Bucket; remaining: number }>> {
  const result = await sql.query<{ transaction_id: string; bucket: Bucket; remaining: number | string }>(
    `SELECT d.transaction_id, d.bucket, d.amount - COALESCE(SUM(r.amount), 0) AS remaining
       FROM billing.wallet_transactions d
       LEFT JOIN billing.wallet_transactions r ON r.reverses_transaction_id = d.transaction_id AND r.kind = 'refund'
      WHERE d.kind = 'debit' AND d.order_id = $1 AND d.tenant_id = $2 AND d.user_id = $3 AND d.currency = $4
      GROUP BY d.transaction_id, d.bucket, d.amount
      ORDER BY d.transaction_id`,
    [orderId, key.tenantId, key.userId, key.currency],
  );
  return result.rows.map((row) => ({ transactionId: row.transaction_id, bucket: row.bucket, remaining: Number(row.remaining) }));
}

export interface WalletBalanceRow {
  tenantId: string;
  currency: string;
  bucket: Bucket;
  balance: number;
}

export async function balancesOfUser(sql: Sql, userId: string): Promise<WalletBalanceRow[]> {
  const result = await sql.query<{ tenant_id: string; currency: string; bucket: Bucket; balance: number | string }>(
    `SELECT tenant_id, currency, bucket, balance FROM billing.wallet_balances WHERE user_id = $1 ORDER BY tenant_id, currency, bucket`,
    [userId],
  );
  return result.rows.map((row) => ({ tenantId: row.tenant_id, currency: row.currency, bucket: row.bucket, balance: Number(row.balance) }));
}

/** What a wallet payment took from each bucket (seed 004 order.paid payment_breakdown). */
export async function orderDebits(sql: Sql, orderId: string): Promise<Array<{ bucket: Bucket; amount: number; transactionId: string }>> {
  const result = await sql.query<{ transaction_id: string; bucket: Bucket; amount: number | string }>(
    `SELECT transaction_id, bucket, amount FROM billing.wallet_transactions WHERE kind = 'debit' AND order_id = $1
      ORDER BY CASE bucket WHEN 'promo' THEN 1 WHEN 'branded' THEN 2 ELSE 3 END`,
    [orderId],
  );
  return result.rows.map((row) => ({ bucket: row.bucket, amount: Number(row.amount), transactionId: row.transaction_id }));
}
