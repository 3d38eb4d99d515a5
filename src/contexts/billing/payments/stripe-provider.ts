import Stripe from "stripe";
import {
  ProviderRefusal,
  type ConfirmRequest,
  type CreateIntentRequest,
  type PaymentProvider,
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

  constructor(private readonly stripe: Stripe) {}

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
