import { defaultEnrollmentEvents } from "../../contracts/default-enrollments.js";
import { enrollmentEvents } from "../../contracts/enrollment.js";
import { BoundAtInstall, type ContextModule } from "../../platform/module.js";
import { Poller } from "../../platform/poller.js";
import { publicEnrollmentApi, type EnrollmentApi } from "./api.js";
import type { EnrollmentDeps } from "./enrollment-deps.js";
import { enrollmentRoutes } from "./enrollments/enrollments.routes.js";
import { installDefaultEnrollments } from "./default-enrollments/install-default-enrollments.js";
import { enrollmentErrors } from "./errors.js";
import { EntitlementCache } from "./entitlements/entitlement-cache.js";
import { entitlementRoutes } from "./entitlements/entitlements.routes.js";
import { eraseSubject } from "./erasure/erase-subject.js";
import { expireDue } from "./expiry/expire-due.js";
import { nextExpiryDue } from "./expiry/expiry-due.sql.js";
import { openAssignmentWindow } from "./learner-events/open-assignment-window.js";
import { recordCompletion } from "./learner-events/record-completion.js";
import { recordPlaySession } from "./learner-events/record-play-session.js";
import { defaultPorts, type EnrollmentPorts } from "./ports.js";

/** The ports this context owns, for the composition root to implement (src/wiring.ts). */
export type {
  CatalogContent,
  CatalogRun,
  Coverage,
  DefaultEnrollmentCatalog,
  EnrollmentPorts,
  EnterpriseLookup,
  SiteLicenseLookup,
  SubsidyLookup,
} from "./ports.js";

export interface EnrollmentModuleDeps {
  /**
   * The lookups into other contexts, built when the module is installed (the composition root's
   * adapters may read modules installed before this one); a port left out answers "nothing known".
   */
  ports?: () => Partial<EnrollmentPorts>;
  /** Entitlement cache TTL = the cross-process staleness bound (default 5 s; 0 disables the cache). */
  entitlementTtlMs?: number;
}

export interface EnrollmentModule extends ContextModule {
  /** The application API bound to this app's kernel (shares its entitlement cache, so invalidation works). */
  readonly api: EnrollmentApi;
  /** What this app's enrollment use cases share (this context's own tests drive the expiry pass with it). */
  readonly deps: EnrollmentDeps;
}

/** One app's enrollment context: nothing is shared with another app in the process (cache, ports, clock). */
export function enrollmentModule(options: EnrollmentModuleDeps = {}): EnrollmentModule {
  const bound = new BoundAtInstall<{ deps: EnrollmentDeps; api: EnrollmentApi }>("enrollment's API");
  return {
    name: "enrollment",
    events: [...enrollmentEvents, ...defaultEnrollmentEvents],
    errors: enrollmentErrors,
    get api() {
      return bound.get().api;
    },
    get deps() {
      return bound.get().deps;
    },
    install({ kernel, server, authenticator }) {
      const ports: EnrollmentPorts = { ...defaultPorts, ...options.ports?.() };
      const deps: EnrollmentDeps = { kernel, cache: new EntitlementCache(options.entitlementTtlMs ?? 5_000), ports };
      const { api } = bound.bind({ deps, api: publicEnrollmentApi(deps) });
      enrollmentRoutes(server, deps, authenticator);
      entitlementRoutes(server, deps, authenticator);
      kernel.hub.register(recordCompletion(deps));
      kernel.hub.register(recordPlaySession(deps));
      kernel.hub.register(openAssignmentWindow(deps));
      kernel.hub.register(eraseSubject(deps));
      installDefaultEnrollments(deps, api, server, authenticator);
      kernel.pollers.push(
        new Poller("enrollment.expiry", kernel.config.sagaPollMs, () => expireDue(deps), kernel.logger, {
          nextDue: () => nextExpiryDue(kernel.db),
        }),
      );
    },
  };
}
