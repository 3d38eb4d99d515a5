import { CourseVersionPublished, PlayPackageBuilt } from "../../../contracts/upstream.js";
import type { Tx } from "../../../platform/db/db.js";
import type { Envelope } from "../../../platform/events/envelope.js";
import type { PayloadOf } from "../../../platform/events/registry.js";
import type { Kernel } from "../../../platform/kernel.js";
import { markVersion } from "./courses.sql.js";

/**
 * seed 001 §5.1: upstream catalog publishes a version, content builds its play package. Either may
 * arrive first and before the version is registered here; a version claimed by another course is
 * bad upstream data and goes to the dead-letter store with the reason.
 */
export function catalogUpstreamConsumers(kernel: Kernel): void {
  const record = async (tx: Tx, event: Envelope, fact: { published: true } | { packageId: string | null }) => {
    const payload = event.payload as PayloadOf<typeof PlayPackageBuilt>;
    const owner = await markVersion(tx, {
      courseId: payload.courseId,
      courseVersionId: payload.courseVersionId,
      at: new Date(event.occurredAt),
      ...fact,
    });
    if (owner !== payload.courseId)
      throw new Error(`version ${payload.courseVersionId} belongs to course ${owner}, not ${payload.courseId}`);
  };
  // One consumer per wire type: each gets a server-side subject filter on NATS 2.9.
  kernel.hub.register({
    name: "catalog.version-published",
    types: [CourseVersionPublished.type],
    handle: (tx, event) => record(tx, event, { published: true }),
  });
  kernel.hub.register({
    name: "catalog.play-package-built",
    types: [PlayPackageBuilt.type],
    handle: (tx, event) => record(tx, event, { packageId: (event.payload as PayloadOf<typeof PlayPackageBuilt>).packageId ?? null }),
  });
}
