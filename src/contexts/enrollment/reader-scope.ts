import type { Principal } from "../../platform/http/auth.js";
import { hasRole } from "../../platform/http/auth.js";
import { SYSTEM_SCOPE, type TenantScope } from "../../platform/db/db.js";
import { ok, type Result } from "../../platform/result.js";
import { reject } from "./errors.js";

/**
 * Who may read a learner's enrollments and entitlements, and under which row-level-security scope:
 * services and platform admins see every tenant; an org admin sees their tenant; a learner sees
 * only themself, within their tenant. Anyone else asking about another user is refused (403).
 */
export function readerScope(
  principal: Principal,
  userId: string | undefined,
): Result<{ tenantId: TenantScope; userId: string | undefined }> {
  if (hasRole(principal, "service", "platform_admin")) return ok({ tenantId: SYSTEM_SCOPE, userId });
  if (hasRole(principal, "org_admin")) return ok({ tenantId: principal.tenantId, userId });
  if (userId === undefined || userId === principal.userId) return ok({ tenantId: principal.tenantId, userId: principal.userId });
  return reject("AUTH.FORBIDDEN", "a learner may only see their own enrollments", "userId");
}

/** May this principal see (or act on) an enrollment it can already see through RLS? */
export function mayActOn(principal: Principal, ownerUserId: string): boolean {
  return hasRole(principal, "service", "platform_admin", "org_admin") || principal.userId === ownerUserId;
}
