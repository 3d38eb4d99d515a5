import type { Sql } from "../../../platform/db/db.js";
import type { Bucket } from "../wallet/wallet.domain.js";
import { orderDebits } from "../wallet/wallets.sql.js";
import type { IntentStatus, PaymentIntent, PaymentMethodKind } from "./payment-intent.domain.js";
import { refundsOf } from "./payment-intents.sql.js";

/** What callers (the marketplace adapter, GET /payments/{id}) see of an intent. */
export interface PaymentResult {
  paymentId: string;
  orderId: string;
  tenantId: string;
  buyerUserId: string;
  status: IntentStatus;
  amount: number;
  currency: string;
  method: PaymentMethodKind;
  provider: string;
  refundedAmount: number;
  failureCode: string | null;
  failureMessage: string | null;
  /** Wallet payments: what each bucket gave (for marketplace.order.paid paymentBreakdown). */
  walletBreakdown: Array<{ bucket: Bucket; amount: number; transactionId: string }> | null;
  refunds: Array<{ refundId: string; amount: number; reason: string; status: "pending" | "succeeded" | "failed" }>;
  /** A wallet payment refused for lack of credit: what was needed and what there was (seed 004 order.failed). */
  walletShortfall: { amountRequired: number; amountAvailable: number } | null;
}

async function walletShortfallOf(sql: Sql, orderId: string): Promise<PaymentResult["walletShortfall"]> {
  const result = await sql.query<{ required: number | string; available: number | string }>(
    `SELECT result->>'amountRequired' AS required, result->>'amountAvailable' AS available FROM billing.wallet_operations
      WHERE order_id = $1 AND kind = 'debit' AND outcome = 'insufficient_balance' ORDER BY created_at DESC LIMIT 1`,
    [orderId],
  );
  const row = result.rows[0];
  return row ? { amountRequired: Number(row.required), amountAvailable: Number(row.available) } : null;
}

/** `known.refunds`: the caller knows there are none (an intent created in this transaction). */
export async function paymentView(sql: Sql, intent: PaymentIntent, known: { refunds?: [] } = {}): Promise<PaymentResult> {
  const refunds = known.refunds ?? (await refundsOf(sql, intent.paymentId));
  return {
    paymentId: intent.paymentId,
    orderId: intent.orderId,
    tenantId: intent.tenantId,
    buyerUserId: intent.buyerUserId,
    status: intent.status,
    amount: intent.amount,
    currency: intent.currency,
    method: intent.method,
    provider: intent.provider,
    refundedAmount: intent.refundedAmount,
    failureCode: intent.failureCode,
    failureMessage: intent.failureMessage,
    walletBreakdown: intent.method === "wallet" ? await orderDebits(sql, intent.orderId) : null,
    refunds: refunds.map((refund) => ({ refundId: refund.refundId, amount: refund.amount, reason: refund.reason, status: refund.status })),
    walletShortfall: intent.method === "wallet" && intent.status === "failed" ? await walletShortfallOf(sql, intent.orderId) : null,
  };
}
