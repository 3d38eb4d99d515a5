import type Stripe from "stripe";

/** One batch to move to a provider's account: the ids make every transfer idempotent. */
export interface PayoutTransfer {
  batchId: string;
  payoutRunId: string;
  providerId: string;
  amount: number;
  currency: string;
  periodStart: Date;
  periodEnd: Date;
}

export type TransferOutcome =
  { status: "recorded" } | { status: "transferred"; reference: string } | { status: "transfer_failed"; failure: string };

/** Where the money of a payout batch goes. The ledger is the record; an adapter only moves money. */
export interface PayoutAdapter {
  readonly name: string;
  transfer(batch: PayoutTransfer): Promise<TransferOutcome>;
}

/** The default: payouts are recorded (and exported by finance); no money moves from here. */
export const recordingPayoutAdapter: PayoutAdapter = {
  name: "record-only",
  transfer: async () => ({ status: "recorded" }),
};

/** The part of the Stripe client the Connect adapter uses (a fake stands in for it in tests). */
export interface StripeTransfers {
  transfers: { create(params: Stripe.TransferCreateParams, options?: Stripe.RequestOptions): Promise<{ id: string }> };
}

/**
 * Stripe Connect: one transfer per batch to the provider's connected account. The run calls Stripe
 * inside its transaction, and a run that rolls back is run again with new run and batch ids: so the
 * idempotency key and every parameter come from what stays the same (provider, currency, period),
 * and Stripe replays the first transfer instead of paying again (while it keeps the key, 24 h).
 * Periods of different schedules never share both ends, so their keys differ.
 */
export class StripeConnectPayoutAdapter implements PayoutAdapter {
  readonly name = "stripe-connect";

  constructor(
    private readonly stripe: StripeTransfers,
    /** The provider's connected account (`acct_…`), or null when it has none yet. */
    private readonly destinationOf: (providerId: string) => Promise<string | null> | string | null,
  ) {}

  async transfer(batch: PayoutTransfer): Promise<TransferOutcome> {
    const destination = await this.destinationOf(batch.providerId);
    if (!destination) return { status: "transfer_failed", failure: "NO_CONNECTED_ACCOUNT" };
    const period = `${batch.periodStart.toISOString()}/${batch.periodEnd.toISOString()}`;
    try {
      const transfer = await this.stripe.transfers.create(
        {
          amount: batch.amount,
          currency: batch.currency.toLowerCase(),
          destination,
          transfer_group: `payout:${period}`,
          metadata: {
            providerId: batch.providerId,
            periodStart: batch.periodStart.toISOString(),
            periodEnd: batch.periodEnd.toISOString(),
          },
        },
        { idempotencyKey: `payout:${batch.providerId}:${batch.currency}:${period}` },
      );
      return { status: "transferred", reference: transfer.id };
    } catch (error) {
      const code = (error as { code?: string }).code;
      return { status: "transfer_failed", failure: code ?? (error instanceof Error ? error.message : String(error)) };
    }
  }
}
