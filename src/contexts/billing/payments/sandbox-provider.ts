import type {
  ConfirmRequest,
  CreateIntentRequest,
  PaymentProvider,
  ProviderOutcome,
  ProviderRefundOutcome,
  ProviderRefundRequest,
} from "./payment-provider.js";

/** API.md "Sandbox card tokens": the default provider, deterministic, no network. */
export const SANDBOX_DELAY_MS = 3_000;

const declined: ProviderOutcome = { status: "failed", failureCode: "card_declined", failureMessage: "the card was declined" };

/**
 * What a sandbox token does when confirmed. Pure, so the table is tested on its own. `priorCharges`:
 * how many charges the token has had on file before this one (a renewal's card that stops working).
 */
export function sandboxOutcome(token: string, priorCharges = 0): ProviderOutcome {
  switch (token) {
    case "tok_visa":
      return { status: "succeeded" };
    case "tok_decline_after_first":
      return priorCharges === 0 ? { status: "succeeded" } : declined;
    case "tok_delayed":
      return { status: "processing", checkAfterMs: SANDBOX_DELAY_MS };
    case "tok_declined":
      return declined;
    case "tok_timeout":
      // Never answers: the purchase saga's payment deadline has to fire.
      return { status: "processing" };
    default:
      return { status: "failed", failureCode: "invalid_token", failureMessage: "unknown sandbox card token" };
  }
}

/**
 * The sandbox's provider reference carries the token, so `retrieve` needs no storage of its own. It
 * is only asked again once the deadline row is due, which is when tok_delayed has "settled".
 */
export class SandboxProvider implements PaymentProvider {
  readonly name = "sandbox";
  readonly external = false;

  async createIntent(request: CreateIntentRequest): Promise<{ providerRef: string }> {
    return { providerRef: `sbx_${request.paymentId}` };
  }

  async confirm(request: ConfirmRequest): Promise<ProviderOutcome> {
    return sandboxOutcome(request.token, request.priorCharges);
  }

  async retrieve(): Promise<ProviderOutcome> {
    // Only tok_delayed schedules a check, and it settles as a success.
    return { status: "succeeded" };
  }

  async refund(request: ProviderRefundRequest): Promise<ProviderRefundOutcome> {
    return { status: "succeeded", providerRef: `sbx_re_${request.refundId}` };
  }
}
