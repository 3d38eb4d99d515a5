import { RefundPolicyCreated, RefundPolicyDeprecated, RefundPolicyUpdated } from "../../../contracts/marketplace-listings.js";
import type { Tx } from "../../../platform/db/db.js";
import type { EventContext } from "../../../platform/events/envelope.js";
import { envelope } from "../../../platform/events/registry.js";
import { newId } from "../../../platform/ids.js";
import type { Kernel } from "../../../platform/kernel.js";
import { unwrap } from "../../../platform/result.js";
import { refuse } from "../errors.js";
import { decideDeprecate, decideUpdate, type RefundPolicy, type RefundPolicyChange } from "./refund-policy.domain.js";
import { insertRefundPolicy, lockRefundPolicy, saveRefundPolicy } from "./refund-policies.sql.js";

/** Create, update, deprecate: each saves the policy and appends its event in the same transaction. */
type PolicyEvent = typeof RefundPolicyCreated | typeof RefundPolicyUpdated | typeof RefundPolicyDeprecated;

async function emit(kernel: Kernel, tx: Tx, definition: PolicyEvent, policy: RefundPolicy, context: EventContext): Promise<void> {
  const payload = { policyId: policy.id, name: policy.name, type: policy.type, refundPeriodDays: policy.refundPeriodDays };
  await kernel.outbox.append(tx, [
    envelope(definition, payload, { eventId: newId("evt"), occurredAt: kernel.clock.now(), tenantId: null }, context),
  ]);
}

export async function createRefundPolicy(
  kernel: Kernel,
  tx: Tx,
  input: { name: string; type: string; refundPeriodDays: number },
  context: EventContext,
): Promise<RefundPolicy> {
  const policy: RefundPolicy = { id: newId("rfp"), ...input, status: "active" };
  await insertRefundPolicy(tx, policy, kernel.clock.now());
  await emit(kernel, tx, RefundPolicyCreated, policy, context);
  return policy;
}

export async function updateRefundPolicy(
  kernel: Kernel,
  policyId: string,
  change: RefundPolicyChange,
  context: EventContext,
): Promise<RefundPolicy> {
  return kernel.db.tx(async (tx) => {
    const current = await lockRefundPolicy(tx, policyId, "update");
    if (!current) throw refuse({ code: "REFUND_POLICY.NOT_FOUND", detail: `no refund policy ${policyId}` });
    const next = unwrap(decideUpdate(current, change));
    await saveRefundPolicy(tx, next, kernel.clock.now());
    await emit(kernel, tx, RefundPolicyUpdated, next, context);
    return next;
  });
}

export async function deprecateRefundPolicy(kernel: Kernel, policyId: string, context: EventContext): Promise<RefundPolicy> {
  return kernel.db.tx(async (tx) => {
    const current = await lockRefundPolicy(tx, policyId, "update");
    if (!current) throw refuse({ code: "REFUND_POLICY.NOT_FOUND", detail: `no refund policy ${policyId}` });
    const next = unwrap(decideDeprecate(current));
    await saveRefundPolicy(tx, next, kernel.clock.now());
    await emit(kernel, tx, RefundPolicyDeprecated, next, context);
    return next;
  });
}
