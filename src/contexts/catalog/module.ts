import type { ContextModule } from "../../platform/module.js";
import { catalogErrors } from "./errors.js";
import { courseRoutes } from "./courses/courses.routes.js";
import { catalogUpstreamConsumers } from "./courses/upstream.consumers.js";

/** Catalog: the projection of courses, versions and runs (admin API + upstream events). Publishes nothing. */
export const catalogModule: ContextModule = {
  name: "catalog",
  events: [],
  errors: catalogErrors,
  install(host) {
    courseRoutes(host);
    catalogUpstreamConsumers(host.kernel);
  },
};
