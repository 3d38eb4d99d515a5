import { PayoutBatchRecorded } from "../../../contracts/marketplace-orders.js";
import type { Tx } from "../../../platform/db/db.js";
import type { EventMetadata } from "../../../platform/events/envelope.js";
import { envelope } from "../../../platform/events/registry.js";
import { newId } from "../../../platform/ids.js";
import type { Kernel } from "../../../platform/kernel.js";
import { refuse } from "../errors.js";
import { DEFAULT_MINIMUM_PAYOUT, periodFor, planPayout, type HeldBalance, type PayoutSchedule } from "./payout.domain.js";
import type { PayoutAdapter, TransferOutcome } from "./payout-adapters.js";
import { claimRun, insertBatch, lockUnpaidMatured, runOfPeriod, saveRunResult, settleBatch, verifiedProviders } from "./payouts.sql.js";

export interface RunPayouts {
  periodEnd?: Date;
  minimumAmount?: number;
  schedule?: PayoutSchedule;
  requestedBy: string;
  /** The request asking (requestId, actorId, traceparent): the run's events carry it. */
  metadata?: EventMetadata;
}

export interface PayoutRunResult {
  payoutRunId: string;
  schedule: PayoutSchedule;
  periodStart: string;
  periodEnd: string;
  minimumAmount: number;
  adapter: string;
  batches: Array<{
    batchId: string;
    providerId: string;
    currency: string;
    amount: number;
    status: TransferOutcome["status"];
    transferRef: string | null;
    lines: Array<{ orderId: string; amount: number }>;
  }>;
  held: HeldBalance[];
  /** true when this period had been run before: this is that run. */
  replayed: boolean;
}

/**
 * One payout run per schedule period, in one transaction: claim the period (idempotent), lock the
 * matured unpaid entries, plan batches (KYC, minimum), record batches and lines, mark the entries,
 * hand each batch to the adapter, and emit marketplace.payout.batch_recorded.v1 per batch.
 */
export async function runPayouts(kernel: Kernel, adapter: PayoutAdapter, tx: Tx, input: RunPayouts): Promise<PayoutRunResult> {
  const now = kernel.clock.now();
  const schedule = input.schedule ?? "weekly";
  const { start, end } = periodFor(schedule, input.periodEnd ?? now);
  if (end.getTime() > now.getTime())
    throw refuse({
      code: "PAYOUT.PERIOD_NOT_ENDED",
      detail: `the ${schedule} period ending ${end.toISOString()} has not ended`,
      field: "body/periodEnd",
    });
  const minimumAmount = input.minimumAmount ?? DEFAULT_MINIMUM_PAYOUT;

  const payoutRunId = newId("pyr");
  if (
    !(await claimRun(tx, { payoutRunId, schedule, periodStart: start, periodEnd: end, minimumAmount, createdBy: input.requestedBy }, now))
  ) {
    const first = (await runOfPeriod(tx, schedule, end))!;
    return { ...(first.result as PayoutRunResult), replayed: true };
  }
  // Runs of different schedules never pay one entry twice: the entries are locked and marked once.
  const entries = await lockUnpaidMatured(tx, end);
  const verified = await verifiedProviders(tx, [...new Set(entries.map((e) => e.providerId))]);
  const plan = planPayout(entries, { minimumAmount, kycVerified: (providerId) => verified.has(providerId) });

  const result: PayoutRunResult = {
    payoutRunId,
    schedule,
    periodStart: start.toISOString(),
    periodEnd: end.toISOString(),
    minimumAmount,
    adapter: adapter.name,
    batches: [],
    held: plan.held,
    replayed: false,
  };
  for (const batch of plan.batches) {
    const batchId = newId("pyb");
    await insertBatch(tx, { ...batch, batchId, payoutRunId }, now);
    const outcome = await adapter.transfer({
      batchId,
      payoutRunId,
      providerId: batch.providerId,
      amount: batch.amount,
      currency: batch.currency,
      periodStart: start,
      periodEnd: end,
    });
    await settleBatch(
      tx,
      batchId,
      {
        status: outcome.status,
        ...(outcome.status === "transferred" ? { reference: outcome.reference } : {}),
        ...(outcome.status === "transfer_failed" ? { failure: outcome.failure } : {}),
      },
      now,
    );
    await kernel.outbox.append(tx, [
      envelope(
        PayoutBatchRecorded,
        {
          payoutRunId,
          providerId: batch.providerId,
          amount: batch.amount,
          currency: batch.currency,
          periodStart: start.toISOString(),
          periodEnd: end.toISOString(),
          lines: batch.lines,
        },
        { eventId: newId("evt"), occurredAt: now, tenantId: null },
        { correlationId: payoutRunId, causationId: null, metadata: { ...input.metadata, actorId: input.requestedBy } },
      ),
    ]);
    result.batches.push({
      batchId,
      providerId: batch.providerId,
      currency: batch.currency,
      amount: batch.amount,
      status: outcome.status,
      transferRef: outcome.status === "transferred" ? outcome.reference : null,
      lines: batch.lines,
    });
  }
  await saveRunResult(tx, payoutRunId, result);
  return result;
}
