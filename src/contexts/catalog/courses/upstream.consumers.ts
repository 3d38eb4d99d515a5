import { CourseVersionPublished, PlayPackageBuilt } from "../../../contracts/upstream.js";
import type { PayloadOf } from "../../../platform/events/registry.js";
import type { Kernel } from "../../../platform/kernel.js";
import { markVersion } from "./courses.sql.js";

/**
 * seed 001 §5.1: upstream catalog publishes a version, content builds its play package. Either may
 * arrive first and before the version is registered here; a version claimed by another course is
 * bad upstream data and goes to the dead-letter store with the reason.
 */
export function catalogUpstreamConsumers(kernel: Kernel): void {
  kernel.hub.register({
    name: "catalog.version-facts",
    types: [CourseVersionPublished.type, PlayPackageBuilt.type],
    async handle(tx, event) {
      const payload = event.payload as PayloadOf<typeof PlayPackageBuilt>;
      const at = new Date(event.occurredAt);
      const fact = event.type === CourseVersionPublished.type ? { published: true as const } : { packageId: payload.packageId ?? null };
      const owner = await markVersion(tx, { courseId: payload.courseId, courseVersionId: payload.courseVersionId, at, ...fact });
      if (owner !== payload.courseId) throw new Error(`version ${payload.courseVersionId} belongs to course ${owner}, not ${payload.courseId}`);
    },
  });
}
