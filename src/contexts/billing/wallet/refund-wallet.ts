import { WalletRefunded } from "../../../contracts/billing.js";
import type { Tx } from "../../../platform/db/db.js";
import type { EventContext } from "../../../platform/events/envelope.js";
import { newId } from "../../../platform/ids.js";
import type { Kernel } from "../../../platform/kernel.js";
import { RejectionError } from "../../../platform/result.js";
import { emit } from "../billing-events.js";
import { DEBIT_ORDER, planRefund, type Bucket } from "./wallet.domain.js";
import {
  addToBucket,
  appendLedger,
  claimOperation,
  finishOperation,
  lockBalances,
  refundableDebits,
  type LedgerRow,
} from "./wallets.sql.js";

export interface RefundWalletInput {
  tenantId: string;
  userId: string;
  currency: string;
  orderId: string;
  amount: number;
  reason: string;
  idempotencyKey: string;
  context: EventContext;
}

export interface WalletRefundResult {
  refundTransactionIds: string[];
  originalTransactionIds: string[];
  refundBreakdown: Array<{ bucket: Bucket; amount: number }>;
  totalRefunded: number;
}

/** Compensation / refund of a wallet payment: coins go back to the buckets they came from (seed 004 wallet.refunded). */
export async function refundWallet(kernel: Kernel, tx: Tx, input: RefundWalletInput): Promise<WalletRefundResult> {
  const now = kernel.clock.now();
  const key = { tenantId: input.tenantId, userId: input.userId, currency: input.currency };
  const operationId = newId("wop");
  const claim = await claimOperation(tx, {
    ...key,
    operationId,
    idempotencyKey: input.idempotencyKey,
    kind: "refund",
    orderId: input.orderId,
    amount: input.amount,
    now,
  });
  if (!claim.claimed) return claim.existing.result as WalletRefundResult;

  // Same lock order as debits (all of the wallet's buckets, by name) before reading what is refundable.
  await lockBalances(tx, key);
  const plan = planRefund(await refundableDebits(tx, key, input.orderId), input.amount);
  if (!plan.ok) throw new RejectionError(plan.rejection);

  const ledger: LedgerRow[] = [];
  // Credit in the fixed bucket order, matching the lock order.
  const parts = [...plan.value].sort((a, b) => a.bucket.localeCompare(b.bucket));
  for (const part of parts) {
    const after = await addToBucket(tx, key, part.bucket, part.amount, now);
    ledger.push({
      transactionId: newId("wtx"),
      operationId,
      bucket: part.bucket,
      kind: "refund",
      amount: part.amount,
      balanceBefore: after - part.amount,
      balanceAfter: after,
      orderId: input.orderId,
      reversesTransactionId: part.reverses,
    });
  }
  await appendLedger(tx, key, ledger, now);
  // Report in the seed's bucket order.
  ledger.sort((a, b) => DEBIT_ORDER.indexOf(a.bucket) - DEBIT_ORDER.indexOf(b.bucket));
  const result: WalletRefundResult = {
    refundTransactionIds: ledger.map((row) => row.transactionId),
    originalTransactionIds: ledger.map((row) => row.reversesTransactionId!),
    refundBreakdown: ledger.map((row) => ({ bucket: row.bucket, amount: row.amount })),
    totalRefunded: input.amount,
  };
  await finishOperation(tx, operationId, "applied", result);
  await emit(
    kernel,
    tx,
    WalletRefunded,
    {
      userId: input.userId,
      refundReason: input.reason,
      originalOrderId: input.orderId,
      ...result,
    },
    { tenantId: input.tenantId, context: input.context },
  );
  return result;
}
