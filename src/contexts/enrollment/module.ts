import { defaultEnrollmentEvents } from "../../contracts/default-enrollments.js";
import { enrollmentEvents } from "../../contracts/enrollment.js";
import type { Kernel } from "../../platform/kernel.js";
import type { ContextModule } from "../../platform/module.js";
import { Poller } from "../../platform/poller.js";
import { enrollmentApi, type EnrollmentApi } from "./enrollment-api.js";
import type { EnrollmentDeps } from "./enrollment-deps.js";
import { enrollmentRoutes } from "./enrollments/enrollments.routes.js";
import { installDefaultEnrollments } from "./default-enrollments/install-default-enrollments.js";
import { enrollmentErrors } from "./errors.js";
import { EntitlementCache } from "./entitlements/entitlement-cache.js";
import { entitlementRoutes } from "./entitlements/entitlements.routes.js";
import { eraseSubject } from "./erasure/erase-subject.js";
import { expireDue } from "./expiry/expire-due.js";
import { openAssignmentWindow } from "./learner-events/open-assignment-window.js";
import { recordCompletion } from "./learner-events/record-completion.js";
import { recordPlaySession } from "./learner-events/record-play-session.js";
import { defaultPorts, type EnrollmentPorts } from "./ports.js";

export interface EnrollmentModuleOptions {
  /** Entitlement cache TTL = the cross-process staleness bound (default 5 s; 0 disables the cache). */
  entitlementTtlMs?: number;
}

export interface EnrollmentModule extends ContextModule {
  /** Mutable until the app starts: src/wiring.ts plugs the site-license, audit and course-version lookups in here. */
  ports: EnrollmentPorts;
  /** The application API bound to one app's kernel (shares its entitlement cache, so invalidation works). */
  api(kernel: Kernel): EnrollmentApi;
  /** The dependencies bound to one kernel (tests drive the expiry pass with it). */
  deps(kernel: Kernel): EnrollmentDeps;
}

export function enrollmentModule(ports: Partial<EnrollmentPorts> = {}, options: EnrollmentModuleOptions = {}): EnrollmentModule {
  const wired: EnrollmentPorts = { ...defaultPorts, ...ports };
  const byKernel = new WeakMap<Kernel, EnrollmentDeps>();
  const depsOf = (kernel: Kernel): EnrollmentDeps => {
    let deps = byKernel.get(kernel);
    if (!deps) byKernel.set(kernel, (deps = { kernel, cache: new EntitlementCache(options.entitlementTtlMs ?? 5_000), ports: wired }));
    return deps;
  };
  return {
    name: "enrollment",
    events: [...enrollmentEvents, ...defaultEnrollmentEvents],
    errors: enrollmentErrors,
    ports: wired,
    api: (kernel) => enrollmentApi(depsOf(kernel)),
    deps: depsOf,
    install({ kernel, server, authenticator }) {
      const deps = depsOf(kernel);
      enrollmentRoutes(server, deps, authenticator);
      entitlementRoutes(server, deps, authenticator);
      kernel.hub.register(recordCompletion(deps));
      kernel.hub.register(recordPlaySession(deps));
      kernel.hub.register(openAssignmentWindow(deps));
      kernel.hub.register(eraseSubject(deps));
      installDefaultEnrollments(deps, enrollmentApi(deps), server, authenticator);
      kernel.pollers.push(new Poller("enrollment.expiry", kernel.config.sagaPollMs, () => expireDue(deps), kernel.logger));
    },
  };
}

/** The one instance this build runs (src/modules.ts). */
export const enrollment = enrollmentModule();
