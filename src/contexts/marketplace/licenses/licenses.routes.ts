import { Type } from "@sinclair/typebox";
import { hasRole } from "../../../platform/http/auth.js";
import { authorize, principalOf } from "../../../platform/http/server.js";
import type { ModuleHost } from "../../../platform/module.js";
import { refuse } from "../errors.js";
import { findLicense, subscriptionOfLicense, type LicenseRow } from "./licenses.sql.js";
import { SYSTEM_SCOPE } from "../../../platform/db/db.js";
import { Component, Instant, IdParam, Nullable } from "../../../platform/http/schemas.js";
import { Json } from "../../../platform/http/openapi.js";

/** The license as the API shows it (licenseJson below; Fastify serializes by this schema, so keep them in step). */
export const LicenseView = Type.Object(
  {
    licenseId: Type.String(),
    orderId: Type.String(),
    tenantId: Type.String(),
    buyerUserId: Type.String(),
    listingId: Type.String(),
    courseId: Type.String(),
    courseVersionId: Type.String(),
    kind: Type.Union([Type.Literal("one_time"), Type.Literal("subscription"), Type.Literal("seat_pack"), Type.Literal("site_license")]),
    state: Type.Union([Type.Literal("active"), Type.Literal("expired"), Type.Literal("revoked")]),
    seatTotal: Nullable(Type.Integer({ description: "a seat pack's seats; null for other kinds" })),
    seatsAssigned: Type.Integer(),
    validFrom: Instant,
    validUntil: Nullable(Instant),
    perpetualOffline: Type.Boolean(),
    subscriptionId: Nullable(
      Type.String({ description: "the subscription that renews this license (validUntil is its paid period's end)" }),
    ),
  },
  { additionalProperties: false },
);

export const licenseJson = (l: LicenseRow, subscriptionId: string | null = null) => ({
  licenseId: l.licenseId,
  orderId: l.orderId,
  tenantId: l.tenantId,
  buyerUserId: l.buyerUserId,
  listingId: l.listingId,
  courseId: l.courseId,
  courseVersionId: l.courseVersionId,
  kind: l.kind,
  state: l.state,
  seatTotal: l.seatTotal,
  seatsAssigned: l.seatsAssigned,
  validFrom: new Date(l.validFrom).toISOString(),
  validUntil: l.validUntil ? new Date(l.validUntil).toISOString() : null,
  perpetualOffline: l.perpetualOffline,
  // A subscription's licence: its validUntil is the paid period's end, and the subscription decides what follows.
  subscriptionId,
});

export function licenseRoutes({ kernel, server, authenticator }: ModuleHost): void {
  const License = Component(server, "License", LicenseView);
  server.get(
    "/api/v1/licenses/:licenseId",
    {
      preValidation: authorize(authenticator),
      schema: {
        tags: ["licenses"],
        operationId: "getLicense",
        summary: "A license and its seat counter",
        description:
          "The buyer, an org admin of the buying tenant, or a platform admin or service reads a license: what it covers, its state, its " +
          "validity and, for a seat pack, its seat counter. Anyone else gets 404 LICENSE.NOT_FOUND.",
        security: [{ bearer: [] }],
        params: Type.Object({ licenseId: IdParam }),
        response: { 200: Json(License, "The license") },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      const admin = hasRole(principal, "platform_admin", "service");
      const { license, subscriptionId } = await kernel.db.tx(
        async (tx) => ({
          license: await findLicense(tx, request.params.licenseId),
          subscriptionId: await subscriptionOfLicense(tx, request.params.licenseId),
        }),
        { tenantId: admin ? SYSTEM_SCOPE : principal.tenantId },
      );
      if (!license || (!admin && license.buyerUserId !== principal.userId && !hasRole(principal, "org_admin"))) {
        throw refuse({ code: "LICENSE.NOT_FOUND", detail: `no license ${request.params.licenseId}` });
      }
      return licenseJson(license, subscriptionId);
    },
  );
}
