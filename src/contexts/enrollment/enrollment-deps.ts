import type { Db, TenantScope, Tx } from "../../platform/db/db.js";
import type { Kernel } from "../../platform/kernel.js";
import type { EntitlementCache } from "./entitlements/entitlement-cache.js";
import type { EnrollmentPorts } from "./ports.js";

/** What every enrollment use case is built with: the kernel, the entitlement cache it must keep honest, the ports. */
export interface EnrollmentDeps {
  kernel: Kernel;
  cache: EntitlementCache;
  ports: EnrollmentPorts;
}

/** Runs in the caller's transaction when given one (so a saga step can include us), else in our own. */
export function inTx<T>(db: Db, tx: Tx | undefined, tenantId: TenantScope, work: (tx: Tx) => Promise<T>): Promise<T> {
  return tx ? work(tx) : db.tx(work, { tenantId });
}

/** Drops the users' cached entitlements once (and only if) the transaction commits. */
export function invalidateAfterCommit(deps: EnrollmentDeps, tx: Tx, userIds: Iterable<string>): void {
  const users = [...new Set(userIds)];
  if (users.length > 0) tx.afterCommit(() => deps.cache.invalidate(users));
}
