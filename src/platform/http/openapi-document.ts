import type { SwaggerOptions } from "@fastify/swagger";

/**
 * The document's frame: what @fastify/swagger puts around the operations it reads from the routes.
 * OpenAPI 3.1, because its schemas are JSON Schema 2020-12: the routes' TypeBox schemas (null in a
 * union, const) go in as they are, where 3.0 would need them rewritten (`nullable`).
 */
export const openapiOptions: SwaggerOptions = {
  openapi: {
    openapi: "3.1.0",
    info: {
      title: "Ghasi Commerce",
      version: "0.1.0",
      summary: "Course commerce and enrollment engine",
      description: [
        "Course commerce and enrollment engine: catalog, marketplace (listings, orders, licences, seats, refunds,",
        "subscriptions), billing and enrollment. Every error is `application/problem+json` (RFC 9457) with a stable",
        "`code` to branch on; `errors[]` says where a request was invalid. Send an `Idempotency-Key` on every POST that",
        "creates something or moves money: the same key and body replay the first answer. Lists page with",
        "`?limit=&cursor=`; `nextCursor` is null on the last page.",
      ].join(" "),
      license: { name: "Apache-2.0", identifier: "Apache-2.0" },
    },
    servers: [{ url: "http://localhost:3000", description: "a local service (npm start)" }],
    tags: [
      { name: "platform", description: "Health, readiness, metrics and upstream events in" },
      { name: "ops", description: "Operators: the published event log, dead letters, sagas" },
      { name: "test-clock", description: "Move the service's clock (only with TEST_CLOCK=on; otherwise these paths are 404)" },
      { name: "tenancy", description: "Tenants, their members, providers and purchase policies" },
      { name: "catalog", description: "Courses, their versions and runs" },
      { name: "marketplace", description: "Listings and their plans, seats, refunds and refund policies" },
      { name: "orders", description: "Placing and reading orders" },
      { name: "licenses", description: "Licences bought, and what they cover" },
      { name: "coupons", description: "Coupons a provider issues" },
      { name: "payouts", description: "Providers' earnings and payouts" },
      { name: "subscriptions", description: "Renewing purchases: periods, payment methods, plan changes" },
      { name: "enrollment", description: "Enrollments, entitlements and default enrollments" },
      { name: "billing", description: "Payments, wallets and payment-provider webhooks" },
      { name: "webhooks", description: "A tenant's signed outbound webhook endpoints and their deliveries (docs/webhooks.md)" },
    ],
    components: {
      securitySchemes: {
        bearer: {
          type: "http",
          scheme: "bearer",
          bearerFormat: "JWT",
          description: "A JWT with sub (user), tid (tenant), roles and, for providers, pid",
        },
        metricsToken: { type: "http", scheme: "bearer", description: "METRICS_TOKEN, for /metrics only" },
      },
    },
  },
  // Shared schemas (Problem) keep their own name in components.schemas instead of def-N.
  refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => (typeof json.$id === "string" ? json.$id : `def-${i}`) },
};
