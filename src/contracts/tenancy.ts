import { Type } from "@sinclair/typebox";
import { defineEvent } from "../platform/events/registry.js";

/** Wire types the tenancy context publishes (EVENTS.md). */
const Id = Type.String({ minLength: 1, maxLength: 200 });

/**
 * Published by POST /api/v1/tenants/{id}/members, and ALSO accepted from outside (an upstream
 * tenant service may own membership), hence `upstream: true`: ingest and the bus both take it.
 */
export const TenantMemberJoined = defineEvent({
  type: "tenant.member.joined.v1",
  summary: "A user joined a tenant (published by tenancy, or by an upstream tenant service).",
  source: "tenancy",
  aggregateType: "TenantMember",
  retentionClass: "operational",
  upstream: true,
  payload: Type.Object(
    { tenantId: Id, userId: Id, email: Type.Optional(Type.String({ maxLength: 320 })) },
    { additionalProperties: false },
  ),
  aggregateId: (p) => p.userId,
  partitionKey: (p) => p.userId,
  example: { tenantId: "ten_acme", userId: "usr_new_hire_7", email: "new.hire@acme.example" },
});

export const tenancyEvents = [TenantMemberJoined];
