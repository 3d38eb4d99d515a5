import type { Tx } from "../../../platform/db/db.js";
import { newId } from "../../../platform/ids.js";
import type { Kernel } from "../../../platform/kernel.js";
import { unwrap } from "../../../platform/result.js";
import { refuse } from "../errors.js";
import type { CatalogPort } from "../ports.js";
import { decideAttach } from "../refund-policies/refund-policy.domain.js";
import { lockRefundPolicy } from "../refund-policies/refund-policies.sql.js";
import { decideCreate } from "./listing.domain.js";
import { insertListing } from "./listings.sql.js";

export interface CreateListing {
  providerId: string;
  tenantId: string;
  courseId: string;
  courseVersionId: string;
  title: string;
  description?: string;
  marketingCopy?: string;
  screenshots?: string[];
  featuredAssets?: string[];
  refundPolicyId?: string;
}

/** Checks the refund policy can be attached now; the share lock holds off a concurrent deprecation. */
export async function attachableRefundPolicy(tx: Tx, refundPolicyId: string | undefined | null): Promise<void> {
  if (!refundPolicyId) return;
  const policy = await lockRefundPolicy(tx, refundPolicyId, "share");
  if (!policy) throw refuse({ code: "REFUND_POLICY.UNKNOWN", detail: `no refund policy ${refundPolicyId}`, field: "body/refundPolicyId" });
  unwrap(decideAttach(policy));
}

/**
 * A new draft targeting an exact course version (seed 001 §10.7) of the provider's own course, as
 * the catalog knows it (§5.1). The version need not be published yet: going live checks that, so a
 * provider can prepare a listing ahead of release.
 */
export async function createListing(
  kernel: Kernel,
  catalog: CatalogPort,
  tx: Tx,
  input: CreateListing,
): Promise<{ listingId: string; status: "draft" }> {
  unwrap(
    decideCreate(
      { kind: "provider", providerId: input.providerId },
      await catalog.listableCourse(tx, input.courseId, input.courseVersionId),
    ),
  );
  await attachableRefundPolicy(tx, input.refundPolicyId);
  const listingId = newId("lst");
  await insertListing(tx, {
    id: listingId,
    providerId: input.providerId,
    tenantId: input.tenantId,
    courseId: input.courseId,
    courseVersionId: input.courseVersionId,
    title: input.title,
    description: input.description ?? "",
    marketingCopy: input.marketingCopy ?? null,
    screenshots: input.screenshots ?? [],
    featuredAssets: input.featuredAssets ?? [],
    refundPolicyId: input.refundPolicyId ?? null,
    at: kernel.clock.now(),
  });
  return { listingId, status: "draft" };
}
