import { SYSTEM_SCOPE, type Tx } from "../../platform/db/db.js";
import type { Kernel } from "../../platform/kernel.js";
import { unwrap } from "../../platform/result.js";
import { checkDuePayments } from "./payments/check-due-payments.js";
import { chargeMethodOnFile, type ChargeMethodOnFileInput } from "./payments/charge-method-on-file.js";
import { keepMethodOnFile, methodOnFileView, type KeepMethodOnFileInput, type MethodOnFileView } from "./payments/methods-on-file.js";
import { lockMethodsOnFile } from "./payments/methods-on-file.sql.js";
import { intentById } from "./payments/payment-intents.sql.js";
import { PaymentProviders } from "./payments/payment-providers.js";
import { paymentView, type PaymentResult } from "./payments/payment-view.js";
import { processPayment, type ProcessPaymentInput } from "./payments/process-payment.js";
import { refundPayment, type RefundPaymentInput, type RefundResult } from "./payments/refund-payment.js";
import { loadBillingSettings } from "./settings.js";
import { computeTax, type TaxQuery, type TaxQuote, type TaxRateTable } from "./tax/tax.domain.js";
import { learnerCreditOf } from "./wallet/learner-credit.js";

export type { PaymentMethodInput, ProcessPaymentInput } from "./payments/process-payment.js";
export type { ChargeMethodOnFileInput } from "./payments/charge-method-on-file.js";
export type { KeepMethodOnFileInput, MethodOnFileView } from "./payments/methods-on-file.js";
export type { PaymentResult } from "./payments/payment-view.js";
export type { RefundPaymentInput, RefundResult } from "./payments/refund-payment.js";
export type { TaxQuery, TaxQuote } from "./tax/tax.domain.js";

/**
 * Billing's application API: what the marketplace's billing port adapter calls (seed 001 §2, billing
 * is an ACL; §10.8 no card data in marketplace). Outcomes also leave as billing.payment.* events
 * through the outbox, correlated and partitioned by orderId — the saga should react to those.
 */
export class BillingApi {
  readonly providers: PaymentProviders;
  private readonly taxRates: TaxRateTable;
  /** Called after a transaction that left an intent or a refund to submit to an external provider commits. */
  private submissionDue: () => void = () => {};

  constructor(
    readonly kernel: Kernel,
    options: { providers?: PaymentProviders; taxRates?: TaxRateTable } = {},
  ) {
    const settings = options.providers && options.taxRates ? null : loadBillingSettings();
    this.providers = options.providers ?? PaymentProviders.fromSettings(settings!);
    this.taxRates = options.taxRates ?? settings!.taxRates;
  }

  /**
   * Pays for an order. Idempotent per orderId: every call for one order returns the same intent and
   * money moves at most once. Sandbox card: `status` is succeeded / failed at once, or processing
   * (the outcome event follows). External card provider (Stripe): requires_payment; the payment
   * worker submits it once this transaction has committed, and the outcome event follows. Wallet:
   * succeeded or failed (WALLET_INSUFFICIENT_BALANCE) at once.
   * Refuses (RejectionError) BILLING.AMOUNT_INVALID, BILLING.CURRENCY_INVALID, BILLING.PAYMENT_ORDER_MISMATCH.
   */
  async processPayment(input: ProcessPaymentInput): Promise<PaymentResult> {
    return (await this.kernel.db.tx((tx) => this.processPaymentIn(tx, input), { tenantId: input.tenantId })).payment;
  }

  /** The same, inside a transaction the caller owns (the HTTP route wraps it in its Idempotency-Key record). */
  processPaymentIn(tx: Tx, input: ProcessPaymentInput): Promise<{ payment: PaymentResult; created: boolean }> {
    return processPayment(this.kernel, this.providers, tx, input, () => this.submissionDue());
  }

  /**
   * Keeps a payment method on file under `ownerRef` (an order that renews, later its subscription),
   * replacing the one there; its charge count starts at 0. The token is a provider reference and is
   * never returned. Refuses BILLING.TOKEN_REQUIRED, BILLING.METHOD_OWNER_CONFLICT.
   */
  keepMethodOnFileIn(tx: Tx, input: KeepMethodOnFileInput): Promise<MethodOnFileView> {
    return keepMethodOnFile(this.kernel, this.providers, tx, input);
  }

  /**
   * Charges the method on file under `ownerRef` without the buyer present, once per `chargeRef` (the
   * intent's order id: a repeated call returns the same payment and charges nothing). Outcome as for
   * processPayment; events billing.payment.succeeded/failed.v1 carry orderId = chargeRef. With
   * Stripe it is requires_payment, sent off-session by the payment worker after commit.
   * Refuses BILLING.NO_METHOD_ON_FILE, BILLING.OFF_SESSION_UNSUPPORTED (a card with an external
   * provider that cannot charge without the buyer), BILLING.AMOUNT_INVALID, BILLING.CURRENCY_INVALID,
   * BILLING.PAYMENT_ORDER_MISMATCH.
   */
  /** Locks the methods a batch of charges will use, in one statement (a renewal burst: one read per batch, not per charge). */
  lockMethodsOnFileIn(tx: Tx, ownerRefs: readonly string[]): Promise<void> {
    return lockMethodsOnFile(tx, ownerRefs);
  }

  async chargeMethodOnFileIn(tx: Tx, input: ChargeMethodOnFileInput): Promise<PaymentResult> {
    return (await chargeMethodOnFile(this.kernel, this.providers, tx, input, () => this.submissionDue())).payment;
  }

  /** What is on file under `ownerRef` (method, provider, charges; never the token), or null. */
  methodOnFileIn(tx: Tx, ownerRef: string): Promise<MethodOnFileView | null> {
    return methodOnFileView(tx, ownerRef);
  }

  /** The module points this at its payment worker, so a submission does not wait for the next poll. */
  onSubmissionDue(wake: () => void): void {
    this.submissionDue = wake;
  }

  /**
   * Moves refund money for a payment; idempotent per (paymentId, idempotencyKey ?? reason). Wallet
   * payments are credited back to the buckets they came from; an external provider's refund is
   * pending, submitted by the payment worker after commit. Refuses BILLING.PAYMENT_NOT_FOUND,
   * BILLING.PAYMENT_ORDER_MISMATCH, BILLING.PAYMENT_NOT_REFUNDABLE, BILLING.REFUND_EXCEEDS_PAYMENT.
   */
  async refundPayment(input: RefundPaymentInput): Promise<RefundResult> {
    return this.kernel.db.tx((tx) => this.refundPaymentIn(tx, input), { tenantId: SYSTEM_SCOPE });
  }

  /** The same, inside a transaction the caller owns (a saga compensation step). */
  refundPaymentIn(tx: Tx, input: RefundPaymentInput): Promise<RefundResult> {
    return refundPayment(this.kernel, this.providers, tx, input, () => this.submissionDue());
  }

  /** Tax reference from the configured rate table (basis points, integer math, half-up rounding). */
  computeTax(query: TaxQuery): TaxQuote {
    return unwrap(computeTax(this.taxRates, query));
  }

  async getPayment(paymentId: string): Promise<PaymentResult | null> {
    return this.kernel.db.tx((tx) => this.paymentIn(tx, paymentId), { tenantId: SYSTEM_SCOPE });
  }

  async paymentIn(tx: Tx, paymentId: string): Promise<PaymentResult | null> {
    const intent = await intentById(tx, paymentId);
    return intent ? paymentView(tx, intent) : null;
  }

  /** Learner credit (seed 003 subsidy): the user's largest positive wallet balance in the tenant, or null. */
  learnerCreditIn(tx: Tx, tenantId: string, userId: string): Promise<{ currency: string; balance: number } | null> {
    return learnerCreditOf(tx, tenantId, userId);
  }

  /** One pass of the deadline worker (the module's poller calls it; tests call it after moving the clock). */
  checkDuePayments(): Promise<number> {
    return checkDuePayments(this.kernel, this.providers);
  }
}
