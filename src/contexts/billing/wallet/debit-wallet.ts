import { WalletDebited, WalletDebitFailed } from "../../../contracts/billing.js";
import type { Tx } from "../../../platform/db/db.js";
import type { EventContext } from "../../../platform/events/envelope.js";
import { newId } from "../../../platform/ids.js";
import type { Kernel } from "../../../platform/kernel.js";
import { emit } from "../billing-events.js";
import { planDebit, type Bucket } from "./wallet.domain.js";
import { appendLedger, claimOperation, finishOperation, lockBalances, takeFromBucket, type LedgerRow } from "./wallets.sql.js";

export interface DebitWalletInput {
  tenantId: string;
  userId: string;
  currency: string;
  amount: number;
  orderId: string;
  idempotencyKey: string;
  /** seed 004 transaction_type. */
  transactionType: "debit_order_payment";
  context: EventContext;
}

export interface DebitPart {
  bucket: Bucket;
  amount: number;
  transactionId: string;
  balanceBefore: number;
  balanceAfter: number;
}

export type DebitResult =
  | { outcome: "applied"; operationId: string; breakdown: DebitPart[]; replayed: boolean }
  | { outcome: "insufficient_balance"; operationId: string; amountRequired: number; amountAvailable: number; replayed: boolean };

/**
 * seed 004: one debit over promo → branded → general in ONE transaction, one wallet.debited per
 * bucket touched; short of funds → wallet.debit_failed and nothing taken. Runs inside the caller's tx.
 */
export async function debitWallet(kernel: Kernel, tx: Tx, input: DebitWalletInput): Promise<DebitResult> {
  const now = kernel.clock.now();
  const key = { tenantId: input.tenantId, userId: input.userId, currency: input.currency };
  const operationId = newId("wop");
  // The key is looked up BEFORE the balance (invariant 7): a retry replays, it never debits again.
  const claim = await claimOperation(tx, {
    ...key,
    operationId,
    idempotencyKey: input.idempotencyKey,
    kind: "debit",
    orderId: input.orderId,
    amount: input.amount,
    now,
  });
  if (!claim.claimed) {
    if (claim.existing.kind !== "debit" || !claim.existing.result)
      throw new Error(`wallet idempotency key ${input.idempotencyKey} belongs to a ${claim.existing.kind}`);
    return { ...(claim.existing.result as DebitResult), replayed: true };
  }

  const balances = await lockBalances(tx, key);
  const plan = planDebit(balances, input.amount);
  if (!plan.ok) {
    const amountAvailable = Number(plan.rejection.extra?.amountAvailable ?? 0);
    const result: DebitResult = {
      outcome: "insufficient_balance",
      operationId,
      amountRequired: input.amount,
      amountAvailable,
      replayed: false,
    };
    await finishOperation(tx, operationId, "insufficient_balance", result);
    await emit(
      kernel,
      tx,
      WalletDebitFailed,
      {
        userId: input.userId,
        transactionType: input.transactionType,
        amountRequired: input.amount,
        amountAvailable,
        failureReason: "WALLET_INSUFFICIENT_BALANCE",
        relatedOrderId: input.orderId,
      },
      { tenantId: input.tenantId, context: input.context },
    );
    return result;
  }

  const breakdown: DebitPart[] = [];
  const ledger: LedgerRow[] = [];
  for (const move of plan.value) {
    const after = await takeFromBucket(tx, key, move.bucket, move.amount, now);
    const transactionId = newId("wtx");
    breakdown.push({ bucket: move.bucket, amount: move.amount, transactionId, balanceBefore: after + move.amount, balanceAfter: after });
    ledger.push({
      transactionId,
      operationId,
      bucket: move.bucket,
      kind: "debit",
      amount: move.amount,
      balanceBefore: after + move.amount,
      balanceAfter: after,
      orderId: input.orderId,
      reversesTransactionId: null,
    });
  }
  await appendLedger(tx, key, ledger, now);
  const result: DebitResult = { outcome: "applied", operationId, breakdown, replayed: false };
  await finishOperation(tx, operationId, "applied", result);
  for (const part of breakdown) {
    await emit(
      kernel,
      tx,
      WalletDebited,
      {
        transactionId: part.transactionId,
        userId: input.userId,
        transactionType: input.transactionType,
        bucket: part.bucket,
        amount: part.amount,
        balanceBefore: part.balanceBefore,
        balanceAfter: part.balanceAfter,
        relatedEntity: { type: "order", id: input.orderId },
        currency: input.currency,
      },
      { tenantId: input.tenantId, context: input.context },
    );
  }
  return result;
}
