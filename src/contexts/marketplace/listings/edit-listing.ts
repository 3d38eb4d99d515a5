import type { Kernel } from "../../../platform/kernel.js";
import { unwrap } from "../../../platform/result.js";
import { refuse } from "../errors.js";
import { attachableRefundPolicy } from "./create-listing.js";
import { decideEdit, type Actor } from "./listing.domain.js";
import { lockListing, saveCopy, type ListingCopy } from "./listings.sql.js";

/** Marketing copy, screenshots, featured assets and the refund policy of a draft. */
export async function editListing(kernel: Kernel, listingId: string, actor: Actor, copy: ListingCopy): Promise<void> {
  await kernel.db.tx(async (tx) => {
    const listing = await lockListing(tx, listingId);
    if (!listing) throw refuse({ code: "LISTING.NOT_FOUND", detail: `no listing ${listingId}` });
    unwrap(decideEdit(listing, actor));
    if (copy.refundPolicyId) await attachableRefundPolicy(tx, copy.refundPolicyId);
    await saveCopy(tx, listingId, copy, kernel.clock.now());
  });
}
