import { WalletCredited } from "../../../contracts/billing.js";
import type { Tx } from "../../../platform/db/db.js";
import type { EventContext } from "../../../platform/events/envelope.js";
import { newId } from "../../../platform/ids.js";
import type { Kernel } from "../../../platform/kernel.js";
import { RejectionError } from "../../../platform/result.js";
import { refuse } from "../errors.js";
import { emit } from "../billing-events.js";
import { moneyRejection } from "../money.js";
import type { Bucket } from "./wallet.domain.js";
import { addToBucket, appendLedger, claimOperation, finishOperation } from "./wallets.sql.js";

export interface CreditWalletInput {
  tenantId: string;
  userId: string;
  bucket: Bucket;
  amount: number;
  currency: string;
  idempotencyKey: string;
  context: EventContext;
}

export interface CreditResult {
  transactionId: string;
  tenantId: string;
  userId: string;
  bucket: Bucket;
  amount: number;
  currency: string;
  balanceAfter: number;
}

/** An admin grants credit to one bucket: ledger row + balance + billing.wallet.credited.v1, one transaction. */
export async function creditWallet(kernel: Kernel, tx: Tx, input: CreditWalletInput): Promise<CreditResult> {
  const invalid = moneyRejection(input.amount, input.currency);
  if (invalid) throw new RejectionError(invalid);
  const now = kernel.clock.now();
  const key = { tenantId: input.tenantId, userId: input.userId, currency: input.currency };
  const operationId = newId("wop");
  const claim = await claimOperation(tx, {
    ...key,
    operationId,
    idempotencyKey: input.idempotencyKey,
    kind: "credit",
    orderId: null,
    amount: input.amount,
    now,
  });
  if (!claim.claimed) {
    if (claim.existing.kind !== "credit" || !claim.existing.result)
      throw refuse({ code: "IDEMPOTENCY.KEY_REUSED", detail: "this key was used for another wallet operation" });
    return claim.existing.result as CreditResult;
  }
  const after = await addToBucket(tx, key, input.bucket, input.amount, now);
  const transactionId = newId("wtx");
  await appendLedger(
    tx,
    key,
    [
      {
        transactionId,
        operationId,
        bucket: input.bucket,
        kind: "credit",
        amount: input.amount,
        balanceBefore: after - input.amount,
        balanceAfter: after,
        orderId: null,
        reversesTransactionId: null,
      },
    ],
    now,
  );
  const result: CreditResult = {
    transactionId,
    tenantId: input.tenantId,
    userId: input.userId,
    bucket: input.bucket,
    amount: input.amount,
    currency: input.currency,
    balanceAfter: after,
  };
  await finishOperation(tx, operationId, "applied", result);
  await emit(
    kernel,
    tx,
    WalletCredited,
    { transactionId, userId: input.userId, bucket: input.bucket, amount: input.amount, currency: input.currency },
    { tenantId: input.tenantId, context: input.context },
  );
  return result;
}
