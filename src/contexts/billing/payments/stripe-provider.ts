import Stripe from "stripe";
import {
  ProviderRefusal,
  type ConfirmRequest,
  type CreateIntentRequest,
  type OffSessionChargeRequest,
  type OffSessionCharges,
  type PaymentProvider,
  type ProviderAnswer,
  type ProviderOutcome,
  type ProviderRefundOutcome,
  type ProviderRefundRequest,
} from "./payment-provider.js";

/** Stripe's PaymentIntent status in our three outcomes; anything not final waits for a webhook. */
export function outcomeOfStripeIntent(intent: Pick<Stripe.PaymentIntent, "status" | "last_payment_error">): ProviderOutcome {
  switch (intent.status) {
    case "succeeded":
      return { status: "succeeded" };
    case "canceled":
      return { status: "failed", failureCode: "canceled", failureMessage: "the payment was canceled" };
    case "requires_payment_method":
      // After a confirmation attempt this status means the attempt failed (Stripe re-opens the intent).
      if (intent.last_payment_error) return failureOf(intent.last_payment_error);
      return { status: "processing" };
    default:
      return { status: "processing" };
  }
}

export function failureOf(error: { code?: string; decline_code?: string; message?: string }): ProviderOutcome {
  return {
    status: "failed",
    failureCode: error.decline_code ?? error.code ?? "payment_failed",
    failureMessage: error.message ?? "the payment failed",
  };
}

/**
 * Stripe behind PaymentProvider. Card tokens are Stripe PaymentMethod ids (`pm_…`, e.g. the test
 * `pm_card_visa`); billing never sees card data. Every call carries an idempotency key derived from
 * our ids, so a retry after a crash reuses Stripe's first object instead of charging again.
 */
export class StripeProvider implements PaymentProvider {
  readonly name = "stripe";
  readonly external = true;

  readonly offSession: OffSessionCharges;

  constructor(private readonly stripe: Stripe) {
    this.offSession = {
      createCustomer: (request) => this.createCustomer(request),
      attachMethod: (request) => this.attachMethod(request),
      chargeOffSession: (request) => this.chargeOffSession(request),
    };
  }

  async createIntent(request: CreateIntentRequest): Promise<{ providerRef: string }> {
    try {
      return await this.create(request);
    } catch (error) {
      // Stripe refusing the request itself (400: amount, currency) will refuse it every time; a 409
      // (the same key in use by a concurrent request) is not a refusal.
      if (error instanceof Stripe.errors.StripeInvalidRequestError && error.statusCode === 400) {
        throw new ProviderRefusal(error.code ?? "invalid_request", error.message);
      }
      throw error;
    }
  }

  private async create(request: CreateIntentRequest): Promise<{ providerRef: string }> {
    const intent = await this.stripe.paymentIntents.create(
      {
        amount: request.amount,
        currency: request.currency.toLowerCase(),
        metadata: { paymentId: request.paymentId, orderId: request.orderId },
        // Server-side confirmation with a saved method: no redirects we could not follow.
        automatic_payment_methods: { enabled: true, allow_redirects: "never" },
        // Stripe attaches the PaymentMethod to the Customer when this payment succeeds, and only a
        // method attached that way (or by attach) can be charged again without the buyer.
        ...(request.saveFor ? { customer: request.saveFor.customerRef, setup_future_usage: "off_session" as const } : {}),
      },
      { idempotencyKey: `${request.idempotencyKey}:create` },
    );
    return { providerRef: intent.id };
  }

  async confirm(request: ConfirmRequest): Promise<ProviderOutcome> {
    try {
      const intent = await this.stripe.paymentIntents.confirm(
        request.providerRef,
        { payment_method: request.token },
        { idempotencyKey: `${request.idempotencyKey}:confirm` },
      );
      return outcomeOfStripeIntent(intent);
    } catch (error) {
      // A declined card is an answer, not a fault; network and auth errors stay exceptions.
      if (error instanceof Stripe.errors.StripeCardError) return failureOf(error);
      if (error instanceof Stripe.errors.StripeInvalidRequestError && error.code === "resource_missing") {
        return { status: "failed", failureCode: "invalid_token", failureMessage: error.message };
      }
      throw error;
    }
  }

  async retrieve(providerRef: string): Promise<ProviderOutcome> {
    return outcomeOfStripeIntent(await this.stripe.paymentIntents.retrieve(providerRef));
  }

  private async createCustomer(request: {
    tenantId: string;
    buyerUserId: string;
    idempotencyKey: string;
  }): Promise<{ customerRef: string }> {
    const customer = await refusing(() =>
      this.stripe.customers.create(
        { metadata: { tenantId: request.tenantId, buyerUserId: request.buyerUserId } },
        { idempotencyKey: request.idempotencyKey },
      ),
    );
    return { customerRef: customer.id };
  }

  private async attachMethod(request: { token: string; customerRef: string; idempotencyKey: string }): Promise<void> {
    // Stripe may check the card with its bank when attaching: a decline here is the charge's answer.
    await refusing(() =>
      this.stripe.paymentMethods.attach(request.token, { customer: request.customerRef }, { idempotencyKey: request.idempotencyKey }),
    );
  }

  /**
   * One call, create and confirm, as Stripe asks for a merchant-initiated charge: with
   * `off_session: true` Stripe answers at once instead of waiting for a buyer who is not there, and a
   * bank that wants that buyer to authenticate is a 402 authentication_required, so a failed payment
   * (dunning takes over), never a retry of the same request.
   */
  private async chargeOffSession(request: OffSessionChargeRequest): Promise<ProviderAnswer> {
    try {
      const intent = await this.stripe.paymentIntents.create(
        {
          amount: request.amount,
          currency: request.currency.toLowerCase(),
          customer: request.customerRef,
          payment_method: request.token,
          off_session: true,
          confirm: true,
          metadata: { paymentId: request.paymentId, orderId: request.orderId },
          automatic_payment_methods: { enabled: true, allow_redirects: "never" },
        },
        { idempotencyKey: request.idempotencyKey },
      );
      // requires_action would wait for the buyer's authentication, which never comes off-session.
      if (intent.status === "requires_action")
        return {
          providerRef: intent.id,
          outcome: {
            status: "failed",
            failureCode: "authentication_required",
            failureMessage: "the bank asks for the buyer's authentication",
          },
        };
      return { providerRef: intent.id, outcome: outcomeOfStripeIntent(intent) };
    } catch (error) {
      // Stripe made the PaymentIntent and failed it: its id is kept, so its webhooks find the payment.
      if (error instanceof Stripe.errors.StripeCardError)
        return { providerRef: error.payment_intent?.id ?? null, outcome: failureOf(error) };
      if (error instanceof Stripe.errors.StripeInvalidRequestError && error.statusCode === 400)
        return { providerRef: null, outcome: failureOf({ code: error.code ?? "invalid_request", message: error.message }) };
      throw error;
    }
  }

  async refund(request: ProviderRefundRequest): Promise<ProviderRefundOutcome> {
    try {
      const refund = await this.stripe.refunds.create(
        // Only values stable for the refund key: a retry after our transaction rolled back carries a
        // new refund id, and Stripe refuses a repeated key whose parameters differ.
        {
          payment_intent: request.providerRef,
          amount: request.amount,
          metadata: { paymentId: request.paymentId, refundKey: request.idempotencyKey },
        },
        { idempotencyKey: request.idempotencyKey },
      );
      if (refund.status === "succeeded") return { status: "succeeded", providerRef: refund.id };
      if (refund.status === "failed" || refund.status === "canceled") {
        return {
          status: "failed",
          failureCode: refund.failure_reason ?? "refund_failed",
          failureMessage: "the provider refused the refund",
        };
      }
      return { status: "pending", providerRef: refund.id };
    } catch (error) {
      if (error instanceof Stripe.errors.StripeInvalidRequestError)
        return { status: "failed", failureCode: error.code ?? "refund_failed", failureMessage: error.message };
      throw error;
    }
  }
}

/** A card error, or a request Stripe refuses outright (400), will be refused every time: a ProviderRefusal. */
async function refusing<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof Stripe.errors.StripeCardError)
      throw new ProviderRefusal(error.decline_code ?? error.code ?? "card_declined", error.message);
    if (error instanceof Stripe.errors.StripeInvalidRequestError && error.statusCode === 400)
      throw new ProviderRefusal(error.code ?? "invalid_request", error.message);
    throw error;
  }
}

export interface StripeSettings {
  secretKey: string;
  /** For stripe-mock or a test double: e.g. http://127.0.0.1:12111. Unset: api.stripe.com. */
  apiBase?: string;
}

export function stripeClient(settings: StripeSettings): Stripe {
  const base = settings.apiBase ? new URL(settings.apiBase) : null;
  return new Stripe(settings.secretKey, {
    maxNetworkRetries: 2,
    timeout: 20_000,
    ...(base
      ? {
          host: base.hostname,
          port: Number(base.port || (base.protocol === "https:" ? 443 : 80)),
          protocol: base.protocol === "https:" ? "https" : "http",
        }
      : {}),
  });
}
