import { Type } from "@sinclair/typebox";
import type { FastifyRequest } from "fastify";
import { hasRole } from "../../../platform/http/auth.js";
import { IdempotencyKeyHeader, idempotent, keyedRequest } from "../../../platform/http/idempotency.js";
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
import { Component, Id, LongText, ShortText } from "../../../platform/http/schemas.js";
import { CreatedListing, ListingTransition, ListingView } from "./listing-responses.js";

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
  const Listing = Component(server, "Listing", ListingView);
  const security = [{ bearer: [] }];

  server.post(
    "/api/v1/listings",
    {
      preValidation: provider,
      schema: {
        tags,
        operationId: "createListing",
        summary: "Create a draft listing of an exact course version",
        description:
          "A provider lists one exact version of its own course (the token's `pid`); the listing starts as a draft. The version need not be " +
          "published yet: going live checks that. Idempotency-Key accepted (the same key and body answer the first listing).",
        security,
        headers: IdempotencyKeyHeader,
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
        response: { 201: CreatedListing },
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
      return reply.code(result.status as 201).send(result.body);
    },
  );

  server.patch(
    "/api/v1/listings/:id",
    {
      preValidation: provider,
      schema: {
        tags,
        operationId: "editListing",
        summary: "Edit a draft listing's copy, assets and refund policy (owner only)",
        description:
          "The provider that owns the listing changes its copy, assets or refund policy; only what the body names changes (`null` clears " +
          "marketingCopy or refundPolicyId). Answers the listing as it now stands.",
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
        response: { 200: Listing },
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
    {
      schema: {
        tags,
        operationId: "getListing",
        summary: "A listing with its plans (live ones are public; others for their provider and admins)",
        description:
          "Public for a live listing (no token needed); a listing in any other state is visible only to its provider and platform admins, " +
          "and answers 404 LISTING.NOT_FOUND to everyone else. Each plan shows its current terms and every version.",
        security: [{}, { bearer: [] }],
        params: Params,
        response: { 200: Listing },
      },
    },
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
  const lifecycle = (command: {
    path: string;
    operationId: string;
    summary: string;
    description: string;
    by: "provider" | "platform_admin";
    body?: ReturnType<typeof Type.Object>;
    toRequest: (request: FastifyRequest) => LifecycleRequest;
  }) =>
    server.post(
      `/api/v1/listings/:id/${command.path}`,
      {
        preValidation: [
          command.by === "platform_admin" ? admin : provider,
          // No body at all reads as `{}`: a missing reason is then named as body/reason, an optional one defaults.
          async (request: FastifyRequest) => {
            request.body ??= {};
          },
        ],
        schema: {
          tags,
          operationId: command.operationId,
          summary: command.summary,
          description: `${command.description} Answers where the listing now stands; a transition its state does not allow is 409.`,
          security,
          params: Params,
          ...(command.body ? { body: command.body } : {}),
          response: { 200: ListingTransition },
        },
      },
      async (request: FastifyRequest) => {
        const principal = principalOf(request);
        const actor = command.by === "platform_admin" ? ({ kind: "platform_admin" } as const) : providerActorOf(principal);
        const { id } = request.params as { id: string };
        return changeListingStatus(kernel, sources, id, actor, command.toRequest(request), eventContextOf(request, principal));
      },
    );
  const reasonBody = Type.Object({ reason: Reason }, { additionalProperties: false });
  const reasonOf = (request: FastifyRequest) => (request.body as { reason?: string } | undefined)?.reason;

  lifecycle({
    path: "submit",
    operationId: "submitListing",
    summary: "Submit a draft for review (owner)",
    description: "The owning provider sends a draft to the platform's review (draft → submitted).",
    by: "provider",
    toRequest: () => ({ type: "Submit" }),
  });
  lifecycle({
    path: "approve",
    operationId: "approveListing",
    summary: "Approve a submitted listing (platform admin; provider KYC must be verified)",
    description:
      "A platform admin approves a submitted listing (submitted → approved); the provider's KYC must be verified (422 otherwise).",
    by: "platform_admin",
    toRequest: () => ({ type: "Approve" }),
  });
  lifecycle({
    path: "reject",
    operationId: "rejectListing",
    summary: "Reject a submitted listing back to draft (platform admin)",
    description: "A platform admin sends a submitted listing back to draft with a reason the provider reads in `lastReason`.",
    by: "platform_admin",
    body: reasonBody,
    toRequest: (r) => ({ type: "Reject", reason: reasonOf(r)! }),
  });
  lifecycle({
    path: "go-live",
    operationId: "takeListingLive",
    summary: "Take an approved listing live (owner; version published and play package built)",
    description:
      "The owning provider puts an approved listing on sale (approved → live): the course version must be published, its play package " +
      "built, and the listing must have a plan (422 otherwise).",
    by: "provider",
    toRequest: () => ({ type: "GoLive" }),
  });
  lifecycle({
    path: "suspend",
    operationId: "suspendListing",
    summary: "Suspend a live listing (platform admin)",
    description: "A platform admin takes a live listing off sale (live → suspended) with a reason.",
    by: "platform_admin",
    body: reasonBody,
    toRequest: (r) => ({ type: "Suspend", reason: reasonOf(r)! }),
  });
  lifecycle({
    path: "reinstate",
    operationId: "reinstateListing",
    summary: "Reinstate a suspended listing (platform admin)",
    description: "A platform admin puts a suspended listing back on sale (suspended → live); the reason is optional.",
    by: "platform_admin",
    body: Type.Object({ reason: Type.Optional(Reason) }, { additionalProperties: false }),
    toRequest: (r) => ({ type: "Reinstate", reason: reasonOf(r) ?? "reinstated" }),
  });
  lifecycle({
    path: "retarget",
    operationId: "retargetListing",
    summary: "Point the listing at another course version; back to draft for re-approval (owner)",
    description:
      "The owning provider points the listing at another version of the same course (not while suspended); the listing returns to draft " +
      "and needs approval again.",
    by: "provider",
    body: Type.Object({ courseVersionId: Id }, { additionalProperties: false }),
    toRequest: (r) => ({ type: "Retarget", courseVersionId: (r.body as { courseVersionId: string }).courseVersionId }),
  });
}
