import { Type } from "@sinclair/typebox";
import { CurrencyCode, Instant, MinorUnits, Nullable, OneOf } from "../../platform/http/schemas.js";
import { KYC_STATUSES } from "./providers/provider.domain.js";
import { CAP_PERIODS } from "./purchase-policies/purchase-policy.domain.js";
import { TENANT_KINDS } from "./tenants/tenant.js";

/**
 * What tenancy's routes answer, for the OpenAPI document. Fastify serializes by these schemas, so a
 * field missing here would be dropped from the answer: keep them in step with the routes.
 */

export const TenantCreated = Type.Object(
  { tenantId: Type.String(), name: Type.String(), kind: OneOf(TENANT_KINDS) },
  { additionalProperties: false, examples: [{ tenantId: "ten_acme", name: "Acme Learning", kind: "organization" }] },
);

export const Tenant = Type.Object(
  { tenantId: Type.String(), name: Type.String(), kind: OneOf(TENANT_KINDS), createdAt: Instant },
  { additionalProperties: false },
);

export const Membership = Type.Object(
  {
    tenantId: Type.String(),
    userId: Type.String(),
    joined: Type.Boolean({ description: "true: the user joined now (tenant.member.joined.v1); false: already a member" }),
  },
  { additionalProperties: false },
);

export const MemberPage = Type.Object(
  {
    items: Type.Array(
      Type.Object({ userId: Type.String(), email: Nullable(Type.String()), joinedAt: Instant }, { additionalProperties: false }),
    ),
    nextCursor: Nullable(Type.String()),
  },
  { additionalProperties: false },
);

export const ProviderKyc = Type.Object(
  { providerId: Type.String(), kycStatus: OneOf(KYC_STATUSES) },
  { additionalProperties: false, examples: [{ providerId: "prv_author", kycStatus: "pending" }] },
);

export const Provider = Type.Object(
  {
    providerId: Type.String(),
    tenantId: Nullable(Type.String()),
    name: Nullable(Type.String({ description: "null for a provider known only from an upstream event" })),
    kycStatus: OneOf(KYC_STATUSES),
  },
  { additionalProperties: false },
);

export const PurchasePolicy = Type.Object(
  {
    tenantId: Type.String(),
    allowedCurrencies: Nullable(Type.Array(CurrencyCode, { description: "null: any supported currency" })),
    cap: Nullable(
      Type.Object(
        { amount: MinorUnits(), currency: CurrencyCode, period: OneOf(CAP_PERIODS) },
        { additionalProperties: false, description: "a spending cap per UTC calendar period; null: none" },
      ),
    ),
  },
  { additionalProperties: false },
);
