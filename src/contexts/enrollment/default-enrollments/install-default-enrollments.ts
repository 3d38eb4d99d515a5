import { TenantMemberJoined } from "../../../contracts/tenancy.js";
import { GdprSubjectRequestReceived } from "../../../contracts/upstream.js";
import type { Authenticator } from "../../../platform/http/auth.js";
import { contextFrom, type Envelope } from "../../../platform/events/envelope.js";
import type { PayloadOf } from "../../../platform/events/registry.js";
import type { HttpServer } from "../../../platform/http/server.js";
import type { EnrollmentApi } from "../enrollment-api.js";
import type { EnrollmentDeps } from "../enrollment-deps.js";
import { asksForErasure, newPseudonym } from "../erasure/pseudonym.js";
import { pseudonymizeRealizations } from "./default-enrollments.sql.js";
import { defaultEnrollmentRoutes } from "./default-enrollments.routes.js";
import { realizeForLearner, type DefaultEnrollmentDeps } from "./realize-default-enrollments.js";

/** Routes and consumers of default enterprise enrollments (seed 003), installed by the enrollment module. */
export function installDefaultEnrollments(
  base: EnrollmentDeps,
  api: EnrollmentApi,
  server: HttpServer,
  authenticator: Authenticator,
): DefaultEnrollmentDeps {
  const { kernel } = base;
  const deps: DefaultEnrollmentDeps = {
    ...base,
    api,
    skipped: kernel.metrics.counter(
      "default_enrollments_skipped_total",
      "Default enrollment intentions not realized for a learner, by reason",
      ["reason"],
    ),
  };
  defaultEnrollmentRoutes(server, deps, authenticator);
  // A learner joins the enterprise (tenancy's event, or an upstream tenant service via ingest / bus).
  kernel.hub.register({
    name: "enrollment.default-enrollments",
    types: [TenantMemberJoined.type],
    async handle(tx, event: Envelope) {
      const p = event.payload as PayloadOf<typeof TenantMemberJoined>;
      await realizeForLearner(deps, tx, p.tenantId, p.userId, contextFrom(event));
    },
  });
  // GDPR: realizations name the learner too; they follow onto a pseudonym like the enrollments do.
  kernel.hub.register({
    name: "enrollment.default-enrollments-erasure",
    types: [GdprSubjectRequestReceived.type],
    async handle(tx, event: Envelope) {
      const p = event.payload as PayloadOf<typeof GdprSubjectRequestReceived>;
      if (asksForErasure(p.kind)) await pseudonymizeRealizations(tx, p.subjectUserId, newPseudonym());
    },
  });
  return deps;
}
