import { ok, type Result } from "../../../platform/result.js";
import { reject } from "../errors.js";

/**
 * Tax reference (seed 001 §4: tax is billing's). Rates are basis points (1 bp = 0.01 %), per ISO
 * 3166-1 alpha-2 country; "*" is the fallback for countries not in the table.
 */
export type TaxRateTable = Readonly<Record<string, number>>;

/** A reference table, not tax advice: standard VAT/GST rates; US sales tax is state-level, so 0 here. */
export const DEFAULT_TAX_RATES: TaxRateTable = {
  "*": 0,
  US: 0,
  GB: 2000,
  DE: 1900,
  FR: 2000,
  NL: 2100,
  ES: 2100,
  IT: 2200,
  IE: 2300,
  IN: 1800,
  AU: 1000,
  CA: 500,
  JP: 1000,
  SG: 900,
};

export interface TaxQuery {
  country: string;
  amount: number;
  currency: string;
  /** true: `amount` already contains the tax (gross); false: tax is added on top (net). */
  inclusive: boolean;
}

export interface TaxQuote {
  country: string;
  currency: string;
  inclusive: boolean;
  rateBasisPoints: number;
  /** Net + tax = gross, exactly, in minor units. */
  netAmount: number;
  taxAmount: number;
  grossAmount: number;
}

/** Integer division rounding half up (amounts are non-negative): floor((2n + d) / 2d). */
function divideHalfUp(numerator: bigint, denominator: bigint): bigint {
  return (2n * numerator + denominator) / (2n * denominator);
}

/**
 * Rounding, documented once: the tax amount is rounded half up to the minor unit. Exclusive:
 * tax = round(amount × bp / 10000), gross = amount + tax. Inclusive: net = round(amount × 10000 /
 * (10000 + bp)), tax = amount − net. BigInt keeps amount × rate exact beyond 2^53.
 */
export function computeTax(rates: TaxRateTable, query: TaxQuery): Result<TaxQuote> {
  if (!Number.isSafeInteger(query.amount) || query.amount < 0)
    return reject("BILLING.AMOUNT_INVALID", "amount must be a non-negative integer of minor units", "amount");
  if (!/^[A-Z]{3}$/.test(query.currency)) return reject("BILLING.CURRENCY_INVALID", "currency must be an ISO 4217 code", "currency");
  const country = query.country.toUpperCase();
  if (!/^[A-Z]{2}$/.test(country)) return reject("BILLING.COUNTRY_INVALID", "country must be an ISO 3166-1 alpha-2 code", "country");
  const rate = rates[country] ?? rates["*"] ?? 0;
  const amount = BigInt(query.amount);
  const bp = BigInt(rate);
  let net: bigint;
  let tax: bigint;
  if (query.inclusive) {
    net = divideHalfUp(amount * 10_000n, 10_000n + bp);
    tax = amount - net;
  } else {
    net = amount;
    tax = divideHalfUp(amount * bp, 10_000n);
  }
  return ok({
    country,
    currency: query.currency,
    inclusive: query.inclusive,
    rateBasisPoints: rate,
    netAmount: Number(net),
    taxAmount: Number(tax),
    grossAmount: Number(net + tax),
  });
}

/** BILLING_TAX_RATES: a JSON object of country → basis points, e.g. {"DE":1900,"*":0}. Bad config fails start-up. */
export function parseTaxRates(raw: string | undefined): TaxRateTable {
  if (raw === undefined || raw.trim() === "") return DEFAULT_TAX_RATES;
  const parsed: unknown = JSON.parse(raw);
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed))
    throw new Error("BILLING_TAX_RATES must be a JSON object of country → basis points");
  const table: Record<string, number> = {};
  for (const [country, rate] of Object.entries(parsed)) {
    if (country !== "*" && !/^[A-Z]{2}$/.test(country))
      throw new Error(`BILLING_TAX_RATES: "${country}" is not an ISO 3166-1 alpha-2 code or "*"`);
    if (!Number.isInteger(rate) || (rate as number) < 0 || (rate as number) > 10_000)
      throw new Error(`BILLING_TAX_RATES: rate for ${country} must be an integer 0..10000 basis points`);
    table[country] = rate as number;
  }
  return table;
}
