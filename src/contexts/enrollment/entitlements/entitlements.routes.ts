import { Type } from "@sinclair/typebox";
import { SYSTEM_SCOPE, type TenantScope, type Tx } from "../../../platform/db/db.js";
import type { Authenticator } from "../../../platform/http/auth.js";
import { authorize, principalOf, type HttpServer } from "../../../platform/http/server.js";
import { unwrap } from "../../../platform/result.js";
import type { EnrollmentDeps } from "../enrollment-deps.js";
import { readerScope } from "../reader-scope.js";
import { entitlementOf, type EntitlementFacts } from "./entitlement.domain.js";
import { deferredFacts, scopedEntitlementFacts } from "./entitlements.sql.js";
import { Component, Id } from "../../../platform/http/schemas.js";
import { Json } from "../../../platform/http/openapi.js";

export const EntitlementView = Type.Object(
  {
    entitled: Type.Boolean(),
    enrollmentId: Type.Optional(Type.String()),
    licenseId: Type.Optional(Type.String()),
    mode: Type.Optional(Type.Union([Type.Literal("verified"), Type.Literal("audit")])),
    offline: Type.Boolean(),
    expiresAt: Type.Optional(Type.String({ format: "date-time" })),
    /** Given with entitled: false when an enrollment would entitle but is held. */
    reason: Type.Optional(Type.Literal("subscription_suspended")),
  },
  {
    additionalProperties: false,
    examples: [{ entitled: true, enrollmentId: "enr_01J9Z4A2", licenseId: "lcn_01J9Z3Z0", mode: "verified", offline: false }],
  },
);

/** A site license (marketplace port) covering a learner who has not played yet. */
async function siteLicenseFacts(
  deps: EnrollmentDeps,
  tx: Tx,
  scope: TenantScope,
  userId: string,
  courseId: string,
): Promise<EntitlementFacts | undefined> {
  const cover = await deps.ports.siteLicenses.coveringLicense(tx, scope === SYSTEM_SCOPE ? undefined : scope, userId, courseId);
  if (!cover) return undefined;
  return {
    enrollmentId: null,
    licenseId: cover.licenseId,
    mode: "verified",
    status: "deferred",
    expiresAt: cover.expiresAt ?? null,
    offline: cover.offlineUntil !== undefined,
    offlineUntil: cover.offlineUntil instanceof Date ? cover.offlineUntil : null,
    holdReason: null,
  };
}

/** GET /api/v1/entitlements — the hottest read: cache, else one indexed query. */
export function entitlementRoutes(server: HttpServer, deps: EnrollmentDeps, authenticator: Authenticator): void {
  const { kernel, cache } = deps;
  server.get(
    "/api/v1/entitlements",
    {
      preValidation: authorize(authenticator),
      schema: {
        tags: ["enrollment"],
        operationId: "checkEntitlement",
        description:
          "A player or service asks before opening a course: entitled with the enrollment (or, before the first play, the site license or " +
          "assignment that covers the learner), its mode and whether it may be played offline. A learner may ask only about themself (403).",
        summary:
          "May this learner use this course now? One indexed query when enrolled; cached in-process, stale across processes for at most the cache TTL (5 s)",
        security: [{ bearer: [] }],
        querystring: Type.Object({ userId: Id, courseId: Id }, { additionalProperties: false }),
        response: {
          200: Json(Component(server, "Entitlement", EntitlementView), "Whether the learner may use the course now, and through what"),
        },
      },
    },
    async (request) => {
      const { userId, courseId } = request.query;
      const scope = unwrap(readerScope(principalOf(request), userId));
      const now = kernel.clock.now();
      let facts: EntitlementFacts | undefined;
      const hit = cache.get(scope.tenantId, userId, courseId, now.getTime());
      // A cached row whose end date has passed may hide another, longer enrollment: ask again.
      if (hit && !(hit.facts?.expiresAt && hit.facts.expiresAt.getTime() <= now.getTime())) facts = hit.facts;
      else {
        const generation = cache.generation(userId);
        // Enrolled learners (the common case) are answered in one round trip; the rest look further.
        // A held enrollment answers last: an assignment window or another site license may still entitle
        // (not the held license itself, which marketplace may still count as in force).
        const enrolled = await scopedEntitlementFacts(kernel.db, scope.tenantId, userId, courseId, now);
        const notHeld = (f: EntitlementFacts | undefined) =>
          f && enrolled?.licenseId && f.licenseId === enrolled.licenseId ? undefined : f;
        facts =
          enrolled && !enrolled.holdReason
            ? enrolled
            : ((await kernel.db.tx(
                async (tx) =>
                  (await deferredFacts(tx, userId, courseId, now)) ??
                  notHeld(await siteLicenseFacts(deps, tx, scope.tenantId, userId, courseId)),
                { tenantId: scope.tenantId },
              )) ?? enrolled);
        cache.set(scope.tenantId, userId, courseId, facts, now.getTime(), generation);
      }
      return entitlementOf(facts, now);
    },
  );
}
