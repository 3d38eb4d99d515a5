/**
 * Payouts are a batched derivation of the earnings ledger (seed 001 §10.5): per provider and
 * currency, the matured entries nobody was paid for yet, sales net of reversals, one batch when the
 * balance reaches the minimum and the provider may be paid; everything else carries over.
 */
export type PayoutSchedule = "weekly" | "monthly";

export const DEFAULT_MINIMUM_PAYOUT = 1_000;

const DAY_MS = 86_400_000;

/**
 * The period a run pays: the latest whole schedule period ending at or before `at` (UTC).
 * weekly: the ISO week (Monday 00:00 to Monday 00:00); monthly: the calendar month.
 */
export function periodFor(schedule: PayoutSchedule, at: Date): { start: Date; end: Date } {
  const midnight = Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), at.getUTCDate());
  if (schedule === "weekly") {
    const isoWeekday = (new Date(midnight).getUTCDay() + 6) % 7; // Monday 0 … Sunday 6
    const end = midnight - isoWeekday * DAY_MS;
    return { start: new Date(end - 7 * DAY_MS), end: new Date(end) };
  }
  const end = Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), 1);
  return { start: new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth() - 1, 1)), end: new Date(end) };
}

export interface UnpaidEntry {
  entryId: string;
  providerId: string;
  currency: string;
  orderId: string;
  /** Negative for a reversal. */
  providerAmount: number;
}

export type HoldReason = "KYC_NOT_VERIFIED" | "BELOW_MINIMUM";

export interface PlannedBatch {
  providerId: string;
  currency: string;
  amount: number;
  /** Per order, net; a refunded order's line can be negative (a claw-back of an earlier payout). */
  lines: Array<{ orderId: string; amount: number }>;
  entryIds: string[];
}

export interface HeldBalance {
  providerId: string;
  currency: string;
  amount: number;
  reason: HoldReason;
}

export interface PayoutPlan {
  batches: PlannedBatch[];
  held: HeldBalance[];
}

export function planPayout(
  entries: readonly UnpaidEntry[],
  options: { minimumAmount: number; kycVerified: (providerId: string) => boolean },
): PayoutPlan {
  const groups = new Map<string, UnpaidEntry[]>();
  for (const entry of entries) {
    const key = `${entry.providerId}\u0000${entry.currency}`;
    const group = groups.get(key);
    if (group) group.push(entry);
    else groups.set(key, [entry]);
  }
  const plan: PayoutPlan = { batches: [], held: [] };
  const keys = [...groups.keys()].sort();
  for (const key of keys) {
    const group = groups.get(key)!;
    const { providerId, currency } = group[0]!;
    const amount = group.reduce((sum, e) => sum + e.providerAmount, 0);
    if (!options.kycVerified(providerId)) {
      plan.held.push({ providerId, currency, amount, reason: "KYC_NOT_VERIFIED" });
      continue;
    }
    // A net balance below the minimum (or a claw-back bigger than the sales) waits for the next run.
    if (amount < Math.max(options.minimumAmount, 1)) {
      plan.held.push({ providerId, currency, amount, reason: "BELOW_MINIMUM" });
      continue;
    }
    const byOrder = new Map<string, number>();
    for (const entry of group) byOrder.set(entry.orderId, (byOrder.get(entry.orderId) ?? 0) + entry.providerAmount);
    plan.batches.push({
      providerId,
      currency,
      amount,
      lines: [...byOrder.entries()]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([orderId, lineAmount]) => ({ orderId, amount: lineAmount })),
      entryIds: group.map((e) => e.entryId),
    });
  }
  return plan;
}
