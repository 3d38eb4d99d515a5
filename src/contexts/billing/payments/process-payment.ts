import type { Tx } from "../../../platform/db/db.js";
import type { EventMetadata } from "../../../platform/events/envelope.js";
import { mintedIn, newId } from "../../../platform/ids.js";
import type { Kernel } from "../../../platform/kernel.js";
import { RejectionError } from "../../../platform/result.js";
import { refuse } from "../errors.js";
import { moneyRejection } from "../money.js";
import { debitWallet } from "../wallet/debit-wallet.js";
import type { PaymentIntent } from "./payment-intent.domain.js";
import { insertIntentOnce, intentByOrder, scheduleCheck, sendNewIntent, type CardUse, type NewIntent } from "./payment-intents.sql.js";
import { WALLET_PROVIDER, type PaymentProviders } from "./payment-providers.js";
import { paymentView, type PaymentResult } from "./payment-view.js";
import { keepMethodOnFile, type PaymentMethodInput } from "./methods-on-file.js";
import { recordTransition } from "./record-transition.js";
import { askProvider, recordAnswer } from "./submit-payment.js";

export type { PaymentMethodInput } from "./methods-on-file.js";

export interface ProcessPaymentInput {
  orderId: string;
  buyerUserId: string;
  tenantId: string;
  amount: number;
  currency: string;
  method: PaymentMethodInput;
  correlationId: string;
  idempotencyKey: string;
  /** The request behind the payment (requestId, actorId, traceparent): the payment's events carry it on. */
  metadata?: EventMetadata;
  /**
   * An owner ref (an order that will renew, later its subscription): the method used here is kept
   * on file under it, in this transaction, for charges made later without the buyer (see
   * chargeMethodOnFile). Only for purchases that renew: any other card token is never stored.
   */
  keepOnFile?: string;
}

/**
 * One intent per order, whatever the number of calls: the insert claims the order, and only the
 * transaction that claimed it arranges payment — so a duplicate call can never charge twice. The
 * sandbox answers inside that transaction (tok_visa's success is written with the intent); an
 * external provider is called after it commits (see `payByCard`).
 */
export async function processPayment(
  kernel: Kernel,
  providers: PaymentProviders,
  tx: Tx,
  input: ProcessPaymentInput,
  submissionDue: () => void,
): Promise<{ payment: PaymentResult; created: boolean }> {
  // With an external provider, a method kept for later is sent so the provider keeps it too.
  const paid = await payOnce(kernel, providers, tx, input, submissionDue, 0, input.keepOnFile !== undefined ? "save" : null);
  // Only the call that made the charge keeps the method: a repeated call finds it kept already.
  if (paid.created && input.keepOnFile !== undefined) {
    await keepMethodOnFile(kernel, providers, tx, {
      ownerRef: input.keepOnFile,
      tenantId: input.tenantId,
      buyerUserId: input.buyerUserId,
      method: input.method,
      charges: 1,
    });
  }
  return paid;
}

/**
 * The payment itself, once per `input.orderId`. `priorCharges`: charges already made with this
 * method on file (a charge without the buyer), passed to the provider; 0 for a purchase.
 * `cardUse`: how the worker sends a card to an external provider (see CardUse); the sandbox ignores it.
 */
export async function payOnce(
  kernel: Kernel,
  providers: PaymentProviders,
  tx: Tx,
  input: Omit<ProcessPaymentInput, "keepOnFile">,
  submissionDue: () => void,
  priorCharges = 0,
  cardUse: CardUse | null = null,
): Promise<{ payment: PaymentResult; created: boolean }> {
  const invalid = moneyRejection(input.amount, input.currency);
  if (invalid) throw new RejectionError(invalid);
  if (input.method.method === "card" && input.method.token.length === 0)
    throw refuse({ code: "BILLING.TOKEN_REQUIRED", field: "method/token" });
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
    requestMetadata: input.metadata ?? {},
    now,
  };
  // An order minted in this transaction (placed in it) can have no intent yet: no need to wait to find out.
  const claimed = mintedIn(tx, input.orderId) ? sendNewIntent(tx, fresh) : await insertIntentOnce(tx, fresh);
  if (!claimed) {
    const existing = await intentByOrder(tx, input.orderId);
    if (!existing)
      throw refuse({
        code: "BILLING.PAYMENT_ORDER_CONFLICT",
        detail: "this order id already has a payment in another tenant",
        field: "orderId",
      });
    if (existing.amount !== input.amount || existing.currency !== input.currency) {
      throw refuse({
        code: "BILLING.PAYMENT_ORDER_MISMATCH",
        detail: `order ${input.orderId} is already being paid for ${existing.amount} ${existing.currency}`,
        field: "amount",
      });
    }
    return { payment: await paymentView(tx, existing), created: false };
  }
  // The caller's request (the HTTP route's, or the purchase saga's origin): a request id is never guessed.
  const trace = { metadata: { ...input.metadata, idempotencyKey: input.idempotencyKey } };
  const intent =
    input.method.method === "wallet"
      ? await payFromWallet(kernel, tx, claimed, input, trace)
      : await payByCard(kernel, providers, tx, claimed, { token: input.method.token, priorCharges, cardUse }, trace, submissionDue);
  return { payment: await paymentView(tx, intent, { refunds: [] }), created: true };
}

async function payFromWallet(
  kernel: Kernel,
  tx: Tx,
  intent: PaymentIntent,
  input: Omit<ProcessPaymentInput, "keepOnFile">,
  trace: { metadata: EventMetadata },
): Promise<PaymentIntent> {
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
  return recordTransition(
    kernel,
    tx,
    processing,
    {
      type: "Fail",
      failureCode: "WALLET_INSUFFICIENT_BALANCE",
      failureMessage: `the wallet holds ${debit.amountAvailable} of the ${debit.amountRequired} required`,
    },
    trace,
  );
}

/**
 * The sandbox answers in this transaction: nothing outside the database moves. An external provider
 * (Stripe) is asked only after this transaction commits, by the payment worker (woken by
 * `submissionDue`): a charge made inside a transaction that then rolled back would be money taken
 * for an order that does not exist.
 */
async function payByCard(
  kernel: Kernel,
  providers: PaymentProviders,
  tx: Tx,
  intent: PaymentIntent,
  { token, priorCharges, cardUse }: { token: string; priorCharges: number; cardUse: CardUse | null },
  trace: { metadata: EventMetadata },
  submissionDue: () => void,
): Promise<PaymentIntent> {
  if (!providers.card.external)
    return recordAnswer(kernel, tx, intent, await askProvider(providers.card, intent, token, priorCharges), trace.metadata);
  await scheduleCheck(tx, intent.paymentId, intent.tenantId, kernel.clock.now(), token, cardUse);
  tx.afterCommit(submissionDue);
  return intent;
}
