import type { Principal } from "../../../platform/http/auth.js";
import { ok, type Result } from "../../../platform/result.js";
import { reject } from "../errors.js";

export const TENANT_KINDS = ["organization", "enterprise", "individual"] as const;
export type TenantKind = (typeof TENANT_KINDS)[number];

/** A tenant's own org admins manage it; platform admins manage every tenant. */
export function mayManageTenant(principal: Pick<Principal, "roles" | "tenantId">, tenantId: string): Result<null> {
  if (principal.roles.includes("platform_admin")) return ok(null);
  if (principal.roles.includes("org_admin") && principal.tenantId === tenantId) return ok(null);
  return reject("TENANT.FORBIDDEN", "only this tenant's org admins or a platform admin may do this");
}
