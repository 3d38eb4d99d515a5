import type { Clock } from "../../platform/clock.js";
import type { ContextModule } from "../../platform/module.js";
import { catalogApi, type CatalogApi } from "./api.js";
import { catalogErrors } from "./errors.js";
import { courseRoutes } from "./courses/courses.routes.js";
import { catalogUpstreamConsumers } from "./courses/upstream.consumers.js";

export type { CatalogApi };

export interface CatalogModule extends ContextModule {
  readonly api: CatalogApi;
}

/** Catalog: the projection of courses, versions and runs (admin API + upstream events). Publishes nothing. */
export function catalogModule(deps: { clock: Clock }): CatalogModule {
  return {
    name: "catalog",
    events: [],
    errors: catalogErrors,
    api: catalogApi(deps.clock),
    install(host) {
      courseRoutes(host);
      catalogUpstreamConsumers(host.kernel);
    },
  };
}
