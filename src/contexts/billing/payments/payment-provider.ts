/**
 * The one seam between billing and whoever actually moves card money (sandbox, Stripe). Billing's
 * state machine and events never depend on which provider answered; Stripe concepts stay behind
 * this interface (seed 001 §2: billing is the ACL that normalizes them).
 */
export type ProviderOutcome =
  | { status: "succeeded" }
  | { status: "failed"; failureCode: string; failureMessage: string }
  /**
   * No answer yet. `checkAfterMs`: the provider promises an answer by then and billing asks again
   * (a deadline row, claimed by a poller). Absent: the answer arrives by webhook — or never.
   */
  | { status: "processing"; checkAfterMs?: number };

/**
 * Thrown by a provider for a request that can never succeed as sent (Stripe: an invalid request,
 * such as an amount below its minimum). The payment fails with `failureCode` instead of being
 * tried again; any other error is treated as passing and the request is repeated later.
 */
export class ProviderRefusal extends Error {
  constructor(
    readonly failureCode: string,
    message: string,
  ) {
    super(message);
    this.name = "ProviderRefusal";
  }
}

export interface CreateIntentRequest {
  paymentId: string;
  orderId: string;
  amount: number;
  currency: string;
  /** Stable per order, so a retried create after a crash returns the provider's first intent. */
  idempotencyKey: string;
  /**
   * The first payment of an order that renews: the buyer's Customer at the provider, to which the
   * provider attaches the method once the payment succeeds (Stripe: setup_future_usage off_session).
   */
  saveFor?: { customerRef: string };
}

/** What a provider said to one submission: its reference (none when it refused the request) and the outcome. */
export interface ProviderAnswer {
  providerRef: string | null;
  outcome: ProviderOutcome;
}

/** A charge of a method on file, without the buyer present, in one call (create and confirm). */
export interface OffSessionChargeRequest {
  paymentId: string;
  orderId: string;
  amount: number;
  currency: string;
  token: string;
  customerRef: string;
  /** `charge:{chargeRef}`: one provider payment per charge, whatever the number of tries. */
  idempotencyKey: string;
}

/**
 * What a provider that keeps methods for later needs (Stripe: a Customer the PaymentMethod is
 * attached to). Called only by the payment worker, outside any transaction. A request the provider
 * will never take throws ProviderRefusal; other errors are asked again later with the same keys.
 */
export interface OffSessionCharges {
  createCustomer(request: { tenantId: string; buyerUserId: string; idempotencyKey: string }): Promise<{ customerRef: string }>;
  attachMethod(request: { token: string; customerRef: string; idempotencyKey: string }): Promise<void>;
  /** A decline (or a bank asking for the absent buyer's authentication) is a failed answer, not an error. */
  chargeOffSession(request: OffSessionChargeRequest): Promise<ProviderAnswer>;
}

export interface ConfirmRequest {
  paymentId: string;
  providerRef: string;
  token: string;
  idempotencyKey: string;
  /**
   * Charges already made with this token while on file (0 for an ordinary purchase): the sandbox
   * keeps no state, so a token that behaves differently after its first charge is told here.
   */
  priorCharges: number;
}

export interface ProviderRefundRequest {
  paymentId: string;
  providerRef: string;
  refundId: string;
  amount: number;
  currency: string;
  idempotencyKey: string;
}

export type ProviderRefundOutcome =
  | { status: "succeeded"; providerRef: string }
  /** Accepted, final word by webhook (Stripe charge.refunded). */
  | { status: "pending"; providerRef: string }
  | { status: "failed"; failureCode: string; failureMessage: string };

export interface PaymentProvider {
  readonly name: string;
  /** Money moves outside this process (Stripe), so it is asked only once this transaction's claims are confirmed. */
  readonly external: boolean;
  /** Present when an external provider can charge a method on file without the buyer (a renewal). */
  readonly offSession?: OffSessionCharges;
  createIntent(request: CreateIntentRequest): Promise<{ providerRef: string }>;
  confirm(request: ConfirmRequest): Promise<ProviderOutcome>;
  /** Asks where a processing intent stands (used when a deadline row comes due). */
  retrieve(providerRef: string): Promise<ProviderOutcome>;
  refund(request: ProviderRefundRequest): Promise<ProviderRefundOutcome>;
}
