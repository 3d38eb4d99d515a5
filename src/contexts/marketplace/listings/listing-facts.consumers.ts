import { CourseVersionPublished, PlayPackageBuilt, ProviderKycVerified } from "../../../contracts/upstream.js";
import type { PayloadOf } from "../../../platform/events/registry.js";
import type { Kernel } from "../../../platform/kernel.js";
import { recordKycVerified, recordReadiness } from "./listings.sql.js";

/**
 * seed 001 §5.1/§5.3: the marketplace keeps the facts its listing guards need from events, never
 * by reading the catalog's or tenancy's tables. Each handler is an idempotent upsert.
 */
export function listingFactConsumers(kernel: Kernel): void {
  kernel.hub.register({
    name: "marketplace.provider-kyc",
    types: [ProviderKycVerified.type],
    async handle(tx, event) {
      const payload = event.payload as PayloadOf<typeof ProviderKycVerified>;
      await recordKycVerified(tx, payload.providerId, new Date(event.occurredAt));
    },
  });

  // One consumer per wire type: each gets a server-side subject filter on NATS 2.9.
  kernel.hub.register({
    name: "marketplace.version-published",
    types: [CourseVersionPublished.type],
    async handle(tx, event) {
      const payload = event.payload as PayloadOf<typeof CourseVersionPublished>;
      await recordReadiness(tx, { courseId: payload.courseId, courseVersionId: payload.courseVersionId, published: true });
    },
  });

  kernel.hub.register({
    name: "marketplace.play-package-built",
    types: [PlayPackageBuilt.type],
    async handle(tx, event) {
      const payload = event.payload as PayloadOf<typeof PlayPackageBuilt>;
      await recordReadiness(tx, { courseId: payload.courseId, courseVersionId: payload.courseVersionId, built: true });
    },
  });
}
