import type { Tx } from "../../../platform/db/db.js";
import { newId } from "../../../platform/ids.js";
import type { Kernel } from "../../../platform/kernel.js";
import { RejectionError } from "../../../platform/result.js";
import { moneyRejection } from "../money.js";
import { debitWallet } from "../wallet/debit-wallet.js";
import type { PaymentIntent } from "./payment-intent.js";
import { insertIntentOnce, intentByOrder, intentWrite, scheduleCheck, sendNewIntent, type NewIntent } from "./payment-intents.sql.js";
import type { PaymentProviders } from "./payment-providers.js";
import { paymentView, type PaymentResult } from "./payment-view.js";
import { commandOf, recordTransition, transition } from "./record-transition.js";

export type PaymentMethodInput = { method: "card"; token: string } | { method: "wallet" };

export interface ProcessPaymentInput {
  orderId: string;
  buyerUserId: string;
  tenantId: string;
  amount: number;
  currency: string;
  method: PaymentMethodInput;
  correlationId: string;
  idempotencyKey: string;
  /** The order was placed in this transaction, so it has no intent yet (see `sendNewIntent`). */
  newOrder?: boolean;
}

/** The provider name recorded on wallet intents (no external provider moves that money). */
export const WALLET_PROVIDER = "wallet";

/**
 * One intent per order, whatever the number of calls: the insert claims the order, and only the
 * transaction that claimed it talks to a provider — so a duplicate call can never charge twice. (A
 * new order's claim is sent without waiting; an external provider is asked only once it succeeded.)
 * The provider is called inside that transaction: the sandbox answers at once (tok_visa's success is
 * written with the intent), and a Stripe call that outlives a rollback is harmless because its
 * idempotency key is derived from the order.
 */
export async function processPayment(kernel: Kernel, providers: PaymentProviders, tx: Tx, input: ProcessPaymentInput): Promise<{ payment: PaymentResult; created: boolean }> {
  const invalid = moneyRejection(input.amount, input.currency);
  if (invalid) throw new RejectionError(invalid);
  if (input.method.method === "card" && input.method.token.length === 0) throw new RejectionError({ code: "BILLING.TOKEN_REQUIRED", field: "method/token" });
  const now = kernel.clock.now();
  const provider = input.method.method === "wallet" ? WALLET_PROVIDER : providers.card.name;
  const fresh: NewIntent = {
    paymentId: newId("pay"),
    orderId: input.orderId,
    tenantId: input.tenantId,
    buyerUserId: input.buyerUserId,
    amount: input.amount,
    currency: input.currency,
    method: input.method.method,
    provider,
    idempotencyKey: input.idempotencyKey,
    requestCorrelationId: input.correlationId,
    now,
  };
  const claimed = input.newOrder ? sendNewIntent(tx, fresh) : await insertIntentOnce(tx, fresh);
  if (!claimed) {
    const existing = await intentByOrder(tx, input.orderId);
    if (!existing) throw new RejectionError({ code: "BILLING.PAYMENT_ORDER_CONFLICT", detail: "this order id already has a payment in another tenant", field: "orderId" });
    if (existing.amount !== input.amount || existing.currency !== input.currency) {
      throw new RejectionError({ code: "BILLING.PAYMENT_ORDER_MISMATCH", detail: `order ${input.orderId} is already being paid for ${existing.amount} ${existing.currency}`, field: "amount" });
    }
    return { payment: await paymentView(tx, existing), created: false };
  }
  const trace = { metadata: { idempotencyKey: input.idempotencyKey, requestId: input.correlationId } };
  const intent = input.method.method === "wallet" ? await payFromWallet(kernel, tx, claimed, input, trace) : await payByCard(kernel, providers, tx, claimed, input.method.token, trace);
  return { payment: await paymentView(tx, intent, { refunds: [] }), created: true };
}

async function payFromWallet(kernel: Kernel, tx: Tx, intent: PaymentIntent, input: ProcessPaymentInput, trace: { metadata: Record<string, string> }): Promise<PaymentIntent> {
  const processing = await recordTransition(kernel, tx, intent, { type: "StartProcessing" }, trace);
  const debit = await debitWallet(kernel, tx, {
    tenantId: input.tenantId,
    userId: input.buyerUserId,
    currency: input.currency,
    amount: input.amount,
    orderId: input.orderId,
    idempotencyKey: `order-payment:${input.orderId}`,
    transactionType: "debit_order_payment",
    context: { correlationId: input.orderId, metadata: trace.metadata },
  });
  if (debit.outcome === "applied") return recordTransition(kernel, tx, processing, { type: "Succeed" }, trace);
  return recordTransition(kernel, tx, processing, {
    type: "Fail",
    failureCode: "WALLET_INSUFFICIENT_BALANCE",
    failureMessage: `the wallet holds ${debit.amountAvailable} of the ${debit.amountRequired} required`,
  }, trace);
}

async function payByCard(kernel: Kernel, providers: PaymentProviders, tx: Tx, intent: PaymentIntent, token: string, trace: { metadata: Record<string, string> }): Promise<PaymentIntent> {
  const provider = providers.card;
  const idempotencyKey = `order:${intent.orderId}`;
  // A sent claim (a new order's intent) must have succeeded before real money moves.
  if (provider.external) await tx.settle();
  const { providerRef } = await provider.createIntent({ paymentId: intent.paymentId, orderId: intent.orderId, amount: intent.amount, currency: intent.currency, idempotencyKey });
  const processing = await transition(kernel, tx, { ...intent, providerRef }, { type: "StartProcessing" }, trace);
  const outcome = await provider.confirm({ paymentId: intent.paymentId, providerRef, token, idempotencyKey });
  const command = commandOf(outcome);
  const settled = command ? await transition(kernel, tx, processing, command, trace) : processing;
  // Nothing reads the intent back in this transaction: its final state goes out with the commit.
  tx.later(intentWrite(settled, kernel.clock.now()));
  if (!command && outcome.status === "processing" && outcome.checkAfterMs !== undefined) {
    await scheduleCheck(tx, intent.paymentId, intent.tenantId, new Date(kernel.clock.now().getTime() + outcome.checkAfterMs));
  }
  return settled;
}
