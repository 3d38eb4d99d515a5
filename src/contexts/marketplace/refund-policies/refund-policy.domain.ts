import { ok, type Result } from "../../../platform/result.js";
import { reject } from "../errors.js";

/** seed 002 RefundPolicy aggregate: created, updated, deprecated; listings reference one. */
export interface RefundPolicy {
  id: string;
  name: string;
  type: string;
  refundPeriodDays: number;
  status: "active" | "deprecated";
}

export type RefundPolicyChange = { name?: string; type?: string; refundPeriodDays?: number };

/** A deprecated policy is frozen: it still governs the listings that have it, but nothing new. */
export function decideUpdate(policy: RefundPolicy, change: RefundPolicyChange): Result<RefundPolicy> {
  if (policy.status === "deprecated") return reject("REFUND_POLICY.DEPRECATED", "a deprecated policy cannot change");
  return ok({ ...policy, ...definedOnly(change) });
}

export function decideDeprecate(policy: RefundPolicy): Result<RefundPolicy> {
  if (policy.status === "deprecated") return reject("REFUND_POLICY.DEPRECATED", "the policy is already deprecated");
  return ok({ ...policy, status: "deprecated" });
}

/** seed 002 PolicyDeprecated → "Courses (validation)": a deprecated policy is not attached to new listings. */
export function decideAttach(policy: RefundPolicy): Result<null> {
  if (policy.status === "deprecated")
    return reject("REFUND_POLICY.DEPRECATED", "a deprecated refund policy cannot be attached", "body/refundPolicyId");
  return ok(null);
}

function definedOnly(change: RefundPolicyChange): RefundPolicyChange {
  return Object.fromEntries(Object.entries(change).filter(([, value]) => value !== undefined));
}
