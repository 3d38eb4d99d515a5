import { periodBoundary } from "../plans/billing-period.domain.js";

/** Licenses are the durable artefact of a purchase (seed 001 §10.3). */
export type LicenseState = "active" | "expired" | "revoked";
export type LicenseKind = "one_time" | "subscription" | "seat_pack" | "site_license";

export interface LicenseTerms {
  kind: LicenseKind;
  seatTotal: number | null;
  validFrom: Date;
  validUntil: Date | null;
  /** Who the license is for: the buyer (one_time, subscription) or the buying tenant (seats, site). */
  holder: "buyer" | "tenant";
}

const DAY_MS = 86_400_000;

/** What a paid order line grants, per plan kind (issue 4 §5). */
export function licenseTermsFor(
  line: { kind: LicenseKind; quantity: number; interval: "month" | "year" | null; validityDays: number | null },
  paidAt: Date,
): LicenseTerms {
  // A renewing line's licence runs to the end of its first period; its subscription extends it.
  const until = (days: number | null) =>
    line.interval !== null ? periodBoundary(paidAt, line.interval, 1) : days === null ? null : new Date(paidAt.getTime() + days * DAY_MS);
  switch (line.kind) {
    case "one_time":
      return { kind: "one_time", seatTotal: 1, validFrom: paidAt, validUntil: until(line.validityDays), holder: "buyer" };
    case "subscription":
      return { kind: "subscription", seatTotal: 1, validFrom: paidAt, validUntil: until(null), holder: "buyer" };
    case "seat_pack":
      return { kind: "seat_pack", seatTotal: line.quantity, validFrom: paidAt, validUntil: until(line.validityDays), holder: "tenant" };
    case "site_license":
      return { kind: "site_license", seatTotal: null, validFrom: paidAt, validUntil: until(line.validityDays), holder: "tenant" };
    default: {
      const unreachable: never = line.kind;
      return unreachable;
    }
  }
}

/** One-time and subscription purchases enroll the buyer at once; seats and sites enroll later. */
export const enrollsBuyer = (kind: LicenseKind): boolean => kind === "one_time" || kind === "subscription";
