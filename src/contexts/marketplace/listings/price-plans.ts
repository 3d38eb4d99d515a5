import { PlanVersioned } from "../../../contracts/marketplace-listings.js";
import type { Tx } from "../../../platform/db/db.js";
import type { EventContext } from "../../../platform/events/envelope.js";
import { envelope } from "../../../platform/events/registry.js";
import { newId } from "../../../platform/ids.js";
import type { Kernel } from "../../../platform/kernel.js";
import { unwrap } from "../../../platform/result.js";
import { refuse } from "../errors.js";
import { decidePricing, type Actor } from "./listing.domain.js";
import { lockListing, type ListingRow } from "./listings.sql.js";
import { planTerms, type PlanKind, type PlanTerms, type PlanTermsInput } from "../plans/plan.domain.js";
import { bumpPlanVersion, insertPlan, insertPlanVersion, planKindOf, refreshCurrentPlans } from "../plans/plans.sql.js";

/** Add a plan (version 1) or re-price one (a new immutable version): save + plan.versioned in one tx. */
async function ownedListing(tx: Tx, listingId: string, actor: Actor): Promise<ListingRow> {
  const listing = await lockListing(tx, listingId);
  if (!listing) throw refuse({ code: "LISTING.NOT_FOUND", detail: `no listing ${listingId}` });
  unwrap(decidePricing(listing, actor));
  return listing;
}

async function emitVersioned(
  kernel: Kernel,
  tx: Tx,
  listing: ListingRow,
  plan: { planId: string; kind: PlanKind; version: number },
  terms: PlanTerms,
  context: EventContext,
) {
  const payload = {
    listingId: listing.id,
    planId: plan.planId,
    version: plan.version,
    kind: plan.kind,
    amount: terms.amount,
    currency: terms.currency,
    ...(terms.seats !== null ? { seats: terms.seats } : {}),
  };
  await kernel.outbox.append(tx, [
    envelope(PlanVersioned, payload, { eventId: newId("evt"), occurredAt: kernel.clock.now(), tenantId: listing.tenantId }, context),
  ]);
}

export async function addPlan(
  kernel: Kernel,
  tx: Tx,
  input: { listingId: string; actor: Actor; kind: PlanKind; terms: PlanTermsInput },
  context: EventContext,
) {
  const terms = unwrap(planTerms(input.kind, input.terms));
  const listing = await ownedListing(tx, input.listingId, input.actor);
  const plan = { planId: newId("pln"), kind: input.kind, version: 1 };
  const at = kernel.clock.now();
  await insertPlan(tx, { planId: plan.planId, listingId: listing.id, kind: plan.kind, at });
  await insertPlanVersion(tx, plan.planId, 1, terms, at);
  await refreshCurrentPlans(tx, listing.id);
  await emitVersioned(kernel, tx, listing, plan, terms, context);
  return { planId: plan.planId, version: 1 };
}

/** seed 001 §3 "plan versioning": old versions stay as they were, orders keep pointing at them. */
export async function repricePlan(
  kernel: Kernel,
  tx: Tx,
  input: { listingId: string; planId: string; actor: Actor; terms: PlanTermsInput },
  context: EventContext,
) {
  const listing = await ownedListing(tx, input.listingId, input.actor);
  const kind = await planKindOf(tx, listing.id, input.planId);
  if (!kind) throw refuse({ code: "PLAN.NOT_FOUND", detail: `listing ${listing.id} has no plan ${input.planId}` });
  const terms = unwrap(planTerms(kind, input.terms));
  const bumped = await bumpPlanVersion(tx, listing.id, input.planId);
  if (!bumped) throw refuse({ code: "PLAN.NOT_FOUND", detail: `listing ${listing.id} has no plan ${input.planId}` });
  await insertPlanVersion(tx, input.planId, bumped.version, terms, kernel.clock.now());
  await refreshCurrentPlans(tx, listing.id);
  await emitVersioned(kernel, tx, listing, { planId: input.planId, kind, version: bumped.version }, terms, context);
  return { planId: input.planId, version: bumped.version };
}
