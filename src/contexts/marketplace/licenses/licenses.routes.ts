import { Type } from "@sinclair/typebox";
import { hasRole } from "../../../platform/http/auth.js";
import { authorize, principalOf } from "../../../platform/http/server.js";
import type { ModuleHost } from "../../../platform/module.js";
import { refuse } from "../errors.js";
import { findLicense, subscriptionOfLicense, type LicenseRow } from "./licenses.sql.js";
import { SYSTEM_SCOPE } from "../../../platform/db/db.js";
import { IdParam } from "../../../platform/http/schemas.js";

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
  server.get(
    "/api/v1/licenses/:licenseId",
    {
      preValidation: authorize(authenticator),
      schema: {
        tags: ["licenses"],
        summary: "A license and its seat counter",
        security: [{ bearer: [] }],
        params: Type.Object({ licenseId: IdParam }),
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
