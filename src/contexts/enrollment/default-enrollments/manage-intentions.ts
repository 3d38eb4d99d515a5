import type { Tx } from "../../../platform/db/db.js";
import { newId } from "../../../platform/ids.js";
import { unwrap } from "../../../platform/result.js";
import { refuse } from "../errors.js";
import type { EnrollmentDeps } from "../enrollment-deps.js";
import { decideAdd, decideRemove, type Intention } from "./default-enrollment.domain.js";
import { findIntention, insertIntention, intentionsForKey, removeIntention, restoreIntention } from "./default-enrollments.sql.js";

/** Only enterprise tenants configure default enrollments (seed 003). */
export async function requireEnterprise(deps: EnrollmentDeps, tx: Tx, tenantId: string): Promise<void> {
  const kind = await deps.ports.enterprises.kindOf(tx, tenantId);
  if (kind === null) throw refuse({ code: "DEFAULT_ENROLLMENT.ENTERPRISE_NOT_FOUND", detail: `no tenant ${tenantId}`, field: "tenantId" });
  if (kind !== "enterprise")
    throw refuse({
      code: "DEFAULT_ENROLLMENT.NOT_AN_ENTERPRISE",
      detail: `tenant ${tenantId} is a ${kind} tenant`,
      field: "tenantId",
    });
}

/**
 * Adds an intention. The content type is derived from the catalog (a course id or a course run key);
 * an unknown key is refused. A soft-deleted intention for the key comes back only with `restore`.
 */
export async function addIntention(
  deps: EnrollmentDeps,
  tx: Tx,
  input: { tenantId: string; contentKey: string; restore: boolean; actor: string },
): Promise<{ intention: Intention; restored: boolean }> {
  await requireEnterprise(deps, tx, input.tenantId);
  const content = (await deps.ports.catalog.resolveContent(tx, [input.contentKey])).get(input.contentKey);
  if (!content)
    throw refuse({
      code: "DEFAULT_ENROLLMENT.CONTENT_UNKNOWN",
      detail: "the catalog knows no course or course run with this key",
      field: "body/contentKey",
    });
  const now = deps.kernel.clock.now();
  const decision = unwrap(decideAdd(await intentionsForKey(tx, input.tenantId, input.contentKey), input.restore));
  if (decision.type === "restore") {
    if (!(await restoreIntention(tx, decision.intention.intentionId, now)))
      throw refuse({ code: "DEFAULT_ENROLLMENT.INTENTION_EXISTS", detail: "restored concurrently", field: "body/contentKey" });
    return { intention: { ...decision.intention, removedAt: null }, restored: true };
  }
  const intention: Intention = {
    intentionId: newId("dei"),
    tenantId: input.tenantId,
    contentKey: input.contentKey,
    contentType: content.contentType,
    courseId: content.courseId,
    createdAt: now,
    removedAt: null,
  };
  // Two admins adding the same key at once: the partial unique index lets one win.
  if (!(await insertIntention(tx, intention, input.actor)))
    throw refuse({
      code: "DEFAULT_ENROLLMENT.INTENTION_EXISTS",
      detail: "an active intention already has this content key",
      field: "body/contentKey",
    });
  return { intention, restored: false };
}

/** Soft delete: the row stays (listed with removedAt), realizations keep pointing at it. */
export async function deleteIntention(
  deps: EnrollmentDeps,
  tx: Tx,
  input: { tenantId: string; intentionId: string; actor: string },
): Promise<Intention> {
  const intention = await findIntention(tx, input.tenantId, input.intentionId, true);
  unwrap(decideRemove(intention));
  const now = deps.kernel.clock.now();
  await removeIntention(tx, intention!.intentionId, now, input.actor);
  return { ...intention!, removedAt: now };
}
