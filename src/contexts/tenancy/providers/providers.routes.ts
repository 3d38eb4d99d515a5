import { Type } from "@sinclair/typebox";
import { authorize, principalOf } from "../../../platform/http/server.js";
import { eventContextOf } from "../../../platform/http/request-context.js";
import type { ModuleHost } from "../../../platform/module.js";
import { refuse } from "../errors.js";
import { recordKyc, registerProvider } from "./manage-providers.js";
import { findProvider } from "./providers.sql.js";
import { Id, ShortText } from "../../../platform/http/schemas.js";
import { Json } from "../../../platform/http/openapi.js";
import { Provider, ProviderKyc } from "../tenancy-responses.js";

const Params = Type.Object({ id: Id });

export function providerRoutes({ kernel, server, authenticator }: ModuleHost): void {
  const admin = authorize(authenticator, "platform_admin");
  const tags = ["tenancy"];
  const security = [{ bearer: [] }];

  server.post(
    "/api/v1/providers",
    {
      preValidation: admin,
      schema: {
        tags,
        operationId: "registerProvider",
        summary: "Register a provider under a tenant; KYC starts pending",
        description:
          "Platform admins: a provider (course author) belonging to a tenant. Registering a provider id known only from an upstream event claims it (its KYC status is kept). 404 TENANT.NOT_FOUND; 409 PROVIDER.ALREADY_EXISTS.",
        response: { 201: Json(ProviderKyc, "Registered") },
        security,
        body: Type.Object({ providerId: Type.Optional(Id), tenantId: Id, name: ShortText }, { additionalProperties: false }),
      },
    },
    async (request, reply) => reply.code(201).send(await registerProvider(kernel, request.body)),
  );

  server.post(
    "/api/v1/providers/:id/kyc",
    {
      preValidation: admin,
      schema: {
        tags,
        operationId: "recordProviderKyc",
        summary: "Record the provider's KYC outcome; verified is announced as tenant.provider.kyc_verified.v1",
        description:
          "Platform admins: the KYC decision. Only a verified provider's listings can be approved. 404 PROVIDER.NOT_FOUND; 409 when the status cannot move that way.",
        response: { 200: Json(ProviderKyc, "The provider's KYC status now") },
        security,
        params: Params,
        body: Type.Object({ status: Type.Union([Type.Literal("verified"), Type.Literal("rejected")]) }, { additionalProperties: false }),
      },
    },
    async (request) => {
      const principal = principalOf(request);
      return recordKyc(kernel, request.params.id, request.body.status, eventContextOf(request, principal));
    },
  );

  server.get(
    "/api/v1/providers/:id",
    {
      preValidation: authorize(authenticator, "platform_admin", "provider"),
      schema: {
        tags,
        operationId: "getProvider",
        summary: "A provider and its KYC status",
        description: "Platform admins, or the provider itself (its token's pid); anyone else gets 404 PROVIDER.NOT_FOUND.",
        security,
        params: Params,
        response: { 200: Provider },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      const provider = await findProvider(kernel.db, request.params.id);
      const visible = provider && (principal.roles.includes("platform_admin") || principal.providerId === provider.providerId);
      if (!visible) throw refuse({ code: "PROVIDER.NOT_FOUND", detail: `no provider ${request.params.id}` });
      return provider;
    },
  );
}
