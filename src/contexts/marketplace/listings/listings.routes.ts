import { Type } from "@sinclair/typebox";
import type { FastifyRequest } from "fastify";
import { hasRole } from "../../../platform/http/auth.js";
import { idempotent, keyedRequest } from "../../../platform/http/idempotency.js";
import { authorize, principalOf } from "../../../platform/http/server.js";
import type { ModuleHost } from "../../../platform/module.js";
import { refuse } from "../errors.js";
import { planJson, plansOf } from "../plans/plans.sql.js";
import { changeListingStatus, type LifecycleRequest, type ListingFactSources } from "./change-listing-status.js";
import { createListing } from "./create-listing.js";
import { editListing } from "./edit-listing.js";
import { eventContextOf } from "../../../platform/http/request-context.js";
import { optionalPrincipal, providerActorOf } from "./listing-actor.js";
import { findListing, type ListingRow } from "./listings.sql.js";
import { Id, LongText, ShortText } from "../../../platform/http/schemas.js";

const Url = Type.String({ format: "uri", maxLength: 2000 });
const Params = Type.Object({ id: Id });
const Reason = LongText;
const Copy = {
  title: ShortText,
  description: Type.String({ maxLength: 20_000 }),
  marketingCopy: Type.String({ maxLength: 20_000 }),
  screenshots: Type.Array(Url, { maxItems: 20 }),
  featuredAssets: Type.Array(Url, { maxItems: 20 }),
};

function listingJson(listing: ListingRow, plans: ReturnType<typeof planJson>[]) {
  return {
    listingId: listing.id,
    status: listing.status,
    providerId: listing.providerId,
    courseId: listing.courseId,
    courseVersionId: listing.courseVersionId,
    title: listing.title,
    description: listing.description,
    marketingCopy: listing.marketingCopy,
    screenshots: listing.screenshots,
    featuredAssets: listing.featuredAssets,
    refundPolicyId: listing.refundPolicyId,
    lastReason: listing.lastReason,
    createdAt: listing.createdAt.toISOString(),
    updatedAt: listing.updatedAt.toISOString(),
    plans,
  };
}

export function listingRoutes({ kernel, server, authenticator }: ModuleHost, sources: ListingFactSources): void {
  const provider = authorize(authenticator, "provider");
  const admin = authorize(authenticator, "platform_admin");
  const tags = ["marketplace"];
  const security = [{ bearer: [] }];

  server.post(
    "/api/v1/listings",
    {
      preValidation: provider,
      schema: {
        tags,
        summary: "Create a draft listing of an exact course version",
        security,
        body: Type.Object(
          {
            courseId: Id,
            courseVersionId: Id,
            title: Copy.title,
            description: Type.Optional(Copy.description),
            marketingCopy: Type.Optional(Copy.marketingCopy),
            screenshots: Type.Optional(Copy.screenshots),
            featuredAssets: Type.Optional(Copy.featuredAssets),
            refundPolicyId: Type.Optional(Id),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      const actor = providerActorOf(principal);
      const result = await idempotent(
        kernel.db,
        keyedRequest(request, principal),
        { required: false, tenantId: principal.tenantId },
        async (tx) => ({
          status: 201,
          body: await createListing(kernel, sources.catalog, tx, {
            ...request.body,
            providerId: actor.providerId,
            tenantId: principal.tenantId,
          }),
        }),
      );
      return reply.code(result.status).send(result.body);
    },
  );

  server.patch(
    "/api/v1/listings/:id",
    {
      preValidation: provider,
      schema: {
        tags,
        summary: "Edit a draft listing's copy, assets and refund policy (owner only)",
        security,
        params: Params,
        body: Type.Object(
          {
            title: Type.Optional(Copy.title),
            description: Type.Optional(Copy.description),
            marketingCopy: Type.Optional(Type.Union([Copy.marketingCopy, Type.Null()])),
            screenshots: Type.Optional(Copy.screenshots),
            featuredAssets: Type.Optional(Copy.featuredAssets),
            refundPolicyId: Type.Optional(Type.Union([Id, Type.Null()])),
          },
          { additionalProperties: false, minProperties: 1 },
        ),
      },
    },
    async (request) => {
      await editListing(kernel, request.params.id, providerActorOf(principalOf(request)), request.body);
      return viewOf(request.params.id);
    },
  );

  async function viewOf(listingId: string, canSee: (listing: ListingRow) => boolean = () => true) {
    const listing = await findListing(kernel.db, listingId);
    if (!listing || !canSee(listing)) throw refuse({ code: "LISTING.NOT_FOUND", detail: `no listing ${listingId}` });
    const plans = (await plansOf(kernel.db, [listing.id])).get(listing.id) ?? [];
    return listingJson(listing, plans.map(planJson));
  }

  server.get(
    "/api/v1/listings/:id",
    { schema: { tags, summary: "A listing with its plans (live ones are public; others for their provider and admins)", params: Params } },
    async (request) => {
      const principal = await optionalPrincipal(authenticator, request);
      // A listing that is not live is invisible (404, not 403) to everyone but its provider and admins.
      return viewOf(
        request.params.id,
        (listing) =>
          listing.status === "live" ||
          (!!principal && (hasRole(principal, "platform_admin") || principal.providerId === listing.providerId)),
      );
    },
  );

  // Provider commands act as the token's pid; admin commands as the platform (roles checked first).
  const lifecycle = (
    path: string,
    summary: string,
    by: "provider" | "platform_admin",
    body: ReturnType<typeof Type.Object> | undefined,
    toRequest: (request: FastifyRequest) => LifecycleRequest,
  ) =>
    server.post(
      `/api/v1/listings/:id/${path}`,
      {
        preValidation: [
          by === "platform_admin" ? admin : provider,
          // No body at all reads as `{}`: a missing reason is then named as body/reason, an optional one defaults.
          async (request: FastifyRequest) => {
            request.body ??= {};
          },
        ],
        schema: { tags, summary, security, params: Params, ...(body ? { body } : {}) },
      },
      async (request: FastifyRequest) => {
        const principal = principalOf(request);
        const actor = by === "platform_admin" ? ({ kind: "platform_admin" } as const) : providerActorOf(principal);
        const { id } = request.params as { id: string };
        return changeListingStatus(kernel, sources, id, actor, toRequest(request), eventContextOf(request, principal));
      },
    );
  const reasonBody = Type.Object({ reason: Reason }, { additionalProperties: false });
  const reasonOf = (request: FastifyRequest) => (request.body as { reason?: string } | undefined)?.reason;

  lifecycle("submit", "Submit a draft for review (owner)", "provider", undefined, () => ({ type: "Submit" }));
  lifecycle("approve", "Approve a submitted listing (platform admin; provider KYC must be verified)", "platform_admin", undefined, () => ({
    type: "Approve",
  }));
  lifecycle("reject", "Reject a submitted listing back to draft (platform admin)", "platform_admin", reasonBody, (r) => ({
    type: "Reject",
    reason: reasonOf(r)!,
  }));
  lifecycle("go-live", "Take an approved listing live (owner; version published and play package built)", "provider", undefined, () => ({
    type: "GoLive",
  }));
  lifecycle("suspend", "Suspend a live listing (platform admin)", "platform_admin", reasonBody, (r) => ({
    type: "Suspend",
    reason: reasonOf(r)!,
  }));
  lifecycle(
    "reinstate",
    "Reinstate a suspended listing (platform admin)",
    "platform_admin",
    Type.Object({ reason: Type.Optional(Reason) }, { additionalProperties: false }),
    (r) => ({
      type: "Reinstate",
      reason: reasonOf(r) ?? "reinstated",
    }),
  );
  lifecycle(
    "retarget",
    "Point the listing at another course version; back to draft for re-approval (owner)",
    "provider",
    Type.Object({ courseVersionId: Id }, { additionalProperties: false }),
    (r) => ({
      type: "Retarget",
      courseVersionId: (r.body as { courseVersionId: string }).courseVersionId,
    }),
  );
}
