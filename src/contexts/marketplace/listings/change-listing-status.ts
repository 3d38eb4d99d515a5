import {
  ListingApproved,
  ListingLive,
  ListingReinstated,
  ListingRejected,
  ListingSubmitted,
  ListingSuspended,
} from "../../../contracts/marketplace-listings.js";
import type { Tx } from "../../../platform/db/db.js";
import type { Envelope, EventContext } from "../../../platform/events/envelope.js";
import { envelope } from "../../../platform/events/registry.js";
import { newId } from "../../../platform/ids.js";
import type { Kernel } from "../../../platform/kernel.js";
import { unwrap } from "../../../platform/result.js";
import { refuse } from "../errors.js";
import { planCountOf } from "../plans/plans.sql.js";
import type { CatalogPort, ProvidersPort } from "../ports.js";
import { decide, type Actor, type ListingCommand, type ListingEvent, type ListingStatus } from "./listing.domain.js";
import { lockListing, readinessOf, saveTransition, type ListingRow } from "./listings.sql.js";

/** Where the facts of the guards come from outside the marketplace (ports it owns). */
export interface ListingFactSources {
  catalog: CatalogPort;
  providers: ProvidersPort;
}

/** What the caller asks for; the facts a guard needs (KYC, version readiness, plans) are gathered here. */
export type LifecycleRequest =
  | { type: "Submit" }
  | { type: "Approve" }
  | { type: "Reject"; reason: string }
  | { type: "GoLive" }
  | { type: "Suspend"; reason: string }
  | { type: "Reinstate"; reason: string }
  | { type: "Retarget"; courseVersionId: string };

async function withFacts(sources: ListingFactSources, tx: Tx, listing: ListingRow, request: LifecycleRequest): Promise<ListingCommand> {
  switch (request.type) {
    case "Approve":
      // Tenancy's record, read now: an approval right after the KYC decision sees it (read-your-writes),
      // which the event-fed projection (still used by payouts) cannot promise in server mode.
      return { type: "Approve", providerKyc: await sources.providers.kycOf(tx, listing.providerId) };
    case "Retarget": {
      const course = await sources.catalog.listableCourse(tx, listing.courseId, request.courseVersionId);
      return { ...request, versionOfCourse: course?.versionOfCourse ?? false };
    }
    case "GoLive":
      return {
        type: "GoLive",
        version: await readinessOf(tx, listing.courseId, listing.courseVersionId),
        planCount: await planCountOf(tx, listing.id),
      };
    default:
      return request;
  }
}

/** The wire event for a decided change; re-targeting has no wire type in EVENTS.md. */
function wireEvent(
  listing: ListingRow,
  event: ListingEvent,
  at: { eventId: string; occurredAt: Date },
  context: EventContext,
): Envelope | null {
  const facts = {
    listingId: listing.id,
    providerId: listing.providerId,
    courseId: listing.courseId,
    courseVersionId: listing.courseVersionId,
  };
  const meta = { ...at, tenantId: listing.tenantId };
  switch (event.type) {
    case "ListingSubmitted":
      return envelope(ListingSubmitted, facts, meta, context);
    case "ListingApproved":
      return envelope(ListingApproved, facts, meta, context);
    case "ListingWentLive":
      return envelope(ListingLive, facts, meta, context);
    case "ListingRejected":
      return envelope(ListingRejected, { ...facts, reason: event.reason }, meta, context);
    case "ListingSuspended":
      return envelope(ListingSuspended, { ...facts, reason: event.reason }, meta, context);
    case "ListingReinstated":
      return envelope(ListingReinstated, { ...facts, reason: event.reason }, meta, context);
    case "ListingRetargeted":
      return null;
    default: {
      const unreachable: never = event;
      return unreachable;
    }
  }
}

/** Load (locked) → gather facts → decide → save + outbox, in one transaction. */
export async function changeListingStatus(
  kernel: Kernel,
  sources: ListingFactSources,
  listingId: string,
  actor: Actor,
  request: LifecycleRequest,
  context: EventContext,
): Promise<{ listingId: string; status: ListingStatus; courseVersionId: string }> {
  return kernel.db.tx(async (tx) => {
    const listing = await lockListing(tx, listingId);
    if (!listing) throw refuse({ code: "LISTING.NOT_FOUND", detail: `no listing ${listingId}` });
    const decision = unwrap(decide(listing, actor, await withFacts(sources, tx, listing, request)));
    const reason = "reason" in decision.event ? decision.event.reason : null;
    await saveTransition(tx, listing.id, {
      status: decision.status,
      courseVersionId: decision.courseVersionId,
      reason,
      at: kernel.clock.now(),
    });
    const event = wireEvent(
      { ...listing, courseVersionId: decision.courseVersionId },
      decision.event,
      { eventId: newId("evt"), occurredAt: kernel.clock.now() },
      context,
    );
    if (event) await kernel.outbox.append(tx, [event]);
    return { listingId: listing.id, status: decision.status, courseVersionId: decision.courseVersionId };
  });
}
