import { allocate } from "../../../platform/money.js";

/** seed 001 §10.5: the platform keeps 15%, modelled as a value, in basis points. */
export const PLATFORM_SHARE_BPS = 1_500;

export interface RevenueSplit {
  gross: number;
  platformFee: number;
  providerAmount: number;
}

/**
 * Splits an amount actually paid (after discount, before tax) so the parts add up to it exactly:
 * the platform's fee is rounded half up, the provider gets the rest.
 */
export function splitRevenue(gross: number): RevenueSplit {
  if (!Number.isSafeInteger(gross)) throw new Error("gross must be integer minor units");
  const sign = gross < 0 ? -1 : 1;
  const magnitude = Math.abs(gross);
  const platformFee = Math.floor((magnitude * PLATFORM_SHARE_BPS + 5_000) / 10_000) * sign;
  return { gross, platformFee, providerAmount: gross - platformFee };
}

export interface PaidLine {
  providerId: string;
  listingId: string;
  /** What the line was worth before the order's discount. */
  amount: number;
}

/** Spreads the order's discount over its lines pro rata, then splits each line (one ledger entry per line). */
export function revenueByLine(lines: readonly PaidLine[], discount: number): Array<PaidLine & RevenueSplit> {
  const subtotal = lines.reduce((sum, line) => sum + line.amount, 0);
  const discounts =
    subtotal > 0
      ? allocate(
          discount,
          lines.map((line) => line.amount),
        )
      : lines.map(() => 0);
  return lines.map((line, i) => ({ ...line, ...splitRevenue(line.amount - discounts[i]!) }));
}
