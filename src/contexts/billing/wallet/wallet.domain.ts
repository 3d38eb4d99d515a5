import { ok, type Result } from "../../../platform/result.js";
import type { BillingRejection } from "../errors.js";

/** seed 004: coins are spent promo first, then branded, then general (the least restricted last). */
export const DEBIT_ORDER = ["promo", "branded", "general"] as const;
export type Bucket = (typeof DEBIT_ORDER)[number];
export const isBucket = (value: string): value is Bucket => (DEBIT_ORDER as readonly string[]).includes(value);

export type Balances = Record<Bucket, number>;
export const emptyBalances = (): Balances => ({ promo: 0, branded: 0, general: 0 });

export interface BucketMove {
  bucket: Bucket;
  amount: number;
  balanceBefore: number;
  balanceAfter: number;
}

export const total = (balances: Balances): number => DEBIT_ORDER.reduce((sum, bucket) => sum + balances[bucket], 0);

/**
 * Splits a debit over the buckets in seed order. All or nothing: when the total is short, nothing is
 * taken and the caller reports WALLET_INSUFFICIENT_BALANCE with what was available.
 */
export function planDebit(balances: Balances, amount: number): Result<BucketMove[]> {
  const available = total(balances);
  if (available < amount) {
    return {
      ok: false,
      rejection: {
        code: "WALLET_INSUFFICIENT_BALANCE",
        detail: `needs ${amount}, has ${available}`,
        extra: { amountRequired: amount, amountAvailable: available },
      } satisfies BillingRejection,
    };
  }
  const moves: BucketMove[] = [];
  let left = amount;
  for (const bucket of DEBIT_ORDER) {
    if (left === 0) break;
    const take = Math.min(left, balances[bucket]);
    if (take === 0) continue;
    moves.push({ bucket, amount: take, balanceBefore: balances[bucket], balanceAfter: balances[bucket] - take });
    left -= take;
  }
  return ok(moves);
}

export interface RefundableDebit {
  transactionId: string;
  bucket: Bucket;
  /** What the debit took minus what earlier refunds already returned. */
  remaining: number;
}

export interface RefundPart {
  reverses: string;
  bucket: Bucket;
  amount: number;
}

/**
 * Returns coins to the buckets they came from. A full refund restores every bucket exactly; a partial
 * one unwinds the debit backwards (last coin spent, first returned), so promo credit — spent first
 * and the most restricted — is the last to come back.
 */
export function planRefund(debits: RefundableDebit[], amount: number): Result<RefundPart[]> {
  const available = debits.reduce((sum, debit) => sum + debit.remaining, 0);
  if (!Number.isSafeInteger(amount) || amount <= 0)
    return { ok: false, rejection: { code: "BILLING.AMOUNT_INVALID", field: "amount" } satisfies BillingRejection };
  if (amount > available)
    return {
      ok: false,
      rejection: {
        code: "BILLING.REFUND_EXCEEDS_PAYMENT",
        detail: `only ${available} is left to refund`,
        field: "amount",
      } satisfies BillingRejection,
    };
  const newestFirst = [...debits].sort((a, b) => DEBIT_ORDER.indexOf(b.bucket) - DEBIT_ORDER.indexOf(a.bucket));
  const parts: RefundPart[] = [];
  let left = amount;
  for (const debit of newestFirst) {
    if (left === 0) break;
    const give = Math.min(left, debit.remaining);
    if (give === 0) continue;
    parts.push({ reverses: debit.transactionId, bucket: debit.bucket, amount: give });
    left -= give;
  }
  return ok(parts);
}
