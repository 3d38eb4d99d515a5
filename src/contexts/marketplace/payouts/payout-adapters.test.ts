import { describe, expect, it } from "vitest";
import { recordingPayoutAdapter, StripeConnectPayoutAdapter, type StripeTransfers } from "./payout-adapters.js";

const batch = {
  batchId: "pyb_1",
  payoutRunId: "pyr_1",
  providerId: "prv_1",
  amount: 12_345,
  currency: "USD",
  periodStart: new Date("2026-03-09T00:00:00Z"),
  periodEnd: new Date("2026-03-16T00:00:00Z"),
};

describe("payout adapters (offline)", () => {
  it("the default only records", async () => {
    expect(await recordingPayoutAdapter.transfer(batch)).toEqual({ status: "recorded" });
  });

  it("Stripe Connect creates one transfer per batch to the provider's account, with a key a rolled-back run would send again", async () => {
    const calls: Array<{ params: unknown; options: unknown }> = [];
    const fake: StripeTransfers = { transfers: { create: async (params, options) => (calls.push({ params, options }), { id: "tr_123" }) } };
    const adapter = new StripeConnectPayoutAdapter(fake, (providerId) => (providerId === "prv_1" ? "acct_1" : null));
    expect(await adapter.transfer(batch)).toEqual({ status: "transferred", reference: "tr_123" });
    expect(calls).toEqual([
      {
        params: {
          amount: 12_345,
          currency: "usd",
          destination: "acct_1",
          transfer_group: "payout:2026-03-09T00:00:00.000Z/2026-03-16T00:00:00.000Z",
          metadata: { providerId: "prv_1", periodStart: "2026-03-09T00:00:00.000Z", periodEnd: "2026-03-16T00:00:00.000Z" },
        },
        options: { idempotencyKey: "payout:prv_1:USD:2026-03-09T00:00:00.000Z/2026-03-16T00:00:00.000Z" },
      },
    ]);
    // The same batch from a run retried after a rollback: new ids, the same request.
    await adapter.transfer({ ...batch, batchId: "pyb_2", payoutRunId: "pyr_2" });
    expect(calls[1]).toEqual(calls[0]);
    // Another period (here a monthly run's) is another transfer.
    await adapter.transfer({ ...batch, periodStart: new Date("2026-03-01T00:00:00Z"), periodEnd: new Date("2026-04-01T00:00:00Z") });
    expect(calls[2]!.options).toEqual({ idempotencyKey: "payout:prv_1:USD:2026-03-01T00:00:00.000Z/2026-04-01T00:00:00.000Z" });
    expect(await adapter.transfer({ ...batch, providerId: "prv_2" })).toEqual({
      status: "transfer_failed",
      failure: "NO_CONNECTED_ACCOUNT",
    });
  });

  it("a Stripe error becomes a failed transfer, not a lost run", async () => {
    const fake: StripeTransfers = {
      transfers: {
        create: async () => {
          throw Object.assign(new Error("insufficient funds"), { code: "balance_insufficient" });
        },
      },
    };
    expect(await new StripeConnectPayoutAdapter(fake, () => "acct_1").transfer(batch)).toEqual({
      status: "transfer_failed",
      failure: "balance_insufficient",
    });
  });
});
