import { ok, type Result } from "../../../platform/result.js";
import { reject } from "../errors.js";

export const KYC_STATUSES = ["pending", "verified", "rejected"] as const;
export type KycStatus = (typeof KYC_STATUSES)[number];

export interface KycChange {
  status: KycStatus;
  /** Announce `tenant.provider.kyc_verified.v1`: only on the move into verified. */
  announceVerified: boolean;
}

/** Setting the same status again is a no-op (no event); a provider may be verified after a rejection. */
export function decideKyc(current: KycStatus, next: "verified" | "rejected"): Result<KycChange | null> {
  if (current === next) return ok(null);
  return ok({ status: next, announceVerified: next === "verified" });
}

/** A provider registered under a known tenant; an id seen only in a KYC event may be claimed once. */
export function decideRegistration(existing: { tenantId: string | null } | null): Result<"insert" | "claim"> {
  if (!existing) return ok("insert");
  if (existing.tenantId === null) return ok("claim");
  return reject("PROVIDER.ALREADY_EXISTS", "a provider with this id is already registered", "body/providerId");
}
