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
  createIntent(request: CreateIntentRequest): Promise<{ providerRef: string }>;
  confirm(request: ConfirmRequest): Promise<ProviderOutcome>;
  /** Asks where a processing intent stands (used when a deadline row comes due). */
  retrieve(providerRef: string): Promise<ProviderOutcome>;
  refund(request: ProviderRefundRequest): Promise<ProviderRefundOutcome>;
}
