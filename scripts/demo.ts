// npm run demo: walks a whole purchase against a running service (npm start in another terminal),
// printing each step: provider and course, listing live, a purchase with tok_visa, and what it produced.
import { embeddedSecret } from "../src/app.js";
import { loadConfig } from "../src/platform/config.js";
import { mintToken } from "../src/platform/http/auth.js";
import { createGhasiClient, idempotencyKey } from "../clients/typescript/index.js";

const config = loadConfig();
const base = process.env.BASE_URL ?? `http://localhost:${config.port}`;
const secret = config.auth.secret ?? embeddedSecret(config.dataDir);
const token = (sub: string, tid: string, roles: string[], pid?: string) => mintToken(secret, { sub, tid, roles, pid });
const run = Date.now().toString(36);

/** What openapi-fetch answers: the typed body of a success, or the Problem of an error. */
type Answer<T> = { data?: T; error?: unknown; response: Response };

/** Prints a step and its answer; stops the demo at the first error. Returns the typed body. */
async function step<T>(title: string, call: Promise<Answer<T>>): Promise<T | undefined> {
  const { data, error, response } = await call;
  console.log(`\n▶ ${title}\n  ${response.status} ${new URL(response.url).pathname}`);
  console.log(`  ${JSON.stringify(data ?? error)?.slice(0, 400)}`);
  if (!response.ok) process.exit(1);
  return data;
}

/** A step whose answer the demo goes on with: a success without a body is a broken contract. */
async function must<T>(title: string, call: Promise<Answer<T>>): Promise<T> {
  const data = await step(title, call);
  if (data === undefined) throw new Error(`${title}: no body in the answer`);
  return data;
}
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const client = async (sub: string, tid: string, roles: string[], pid?: string) =>
  createGhasiClient({ baseUrl: base, token: await token(sub, tid, roles, pid) });
const admin = await client("usr_admin", "ten_platform", ["platform_admin"]);
const service = await client("svc_catalog", "ten_platform", ["service"]);
const providerId = `prv_demo_${run}`;
const provider = await client("usr_author", `ten_author_${run}`, ["provider"], providerId);
const learner = await client(`usr_learner_${run}`, `ten_learner_${run}`, ["learner"]);
const anyone = createGhasiClient({ baseUrl: base });
const courseId = `crs_demo_${run}`;
const versionId = `cv_demo_${run}`;

await step(
  "A platform admin onboards a provider",
  admin.POST("/api/v1/tenants", { body: { tenantId: `ten_author_${run}`, name: "Author Ltd", kind: "organization" } }),
);
await step("…registers it", admin.POST("/api/v1/providers", { body: { providerId, tenantId: `ten_author_${run}`, name: "Author Ltd" } }));
await step(
  "…and KYC comes back verified",
  admin.POST("/api/v1/providers/{id}/kyc", { params: { path: { id: providerId } }, body: { status: "verified" } }),
);
await step(
  "The provider's course",
  provider.POST("/api/v1/catalog/courses", { body: { courseId, providerId, title: "Event-driven systems" } }),
);
await step(
  "…and its first version",
  provider.POST("/api/v1/catalog/courses/{courseId}/versions", {
    params: { path: { courseId } },
    body: { courseVersionId: versionId, label: "2026.1" },
  }),
);
const upstream = (type: string) => ({
  eventId: `evt_${type}_${run}`,
  type,
  occurredAt: new Date().toISOString(),
  source: type.split(".")[0]!,
  payload: { courseId, courseVersionId: versionId },
});
await step(
  "Catalog publishes the version (upstream event)",
  service.POST("/api/v1/events/ingest", { body: upstream("catalog.course_version.published.v1") }),
);
await step(
  "Content built its play package (upstream event)",
  service.POST("/api/v1/events/ingest", { body: upstream("content.play_package.built.v1") }),
);
await pause(500);
const listing = await must(
  "The provider drafts a listing",
  provider.POST("/api/v1/listings", {
    body: {
      courseId,
      courseVersionId: versionId,
      title: "Event-driven systems, hands on",
      description: "Outbox, sagas and idempotent consumers",
    },
  }),
);
const id = { path: { id: listing.listingId } };
const plan = await must(
  "…prices it (USD 49.00, one time)",
  provider.POST("/api/v1/listings/{id}/plans", { params: id, body: { kind: "one_time", amount: 4900, currency: "USD" } }),
);
await step("…submits it", provider.POST("/api/v1/listings/{id}/submit", { params: id }));
await step("The platform approves it", admin.POST("/api/v1/listings/{id}/approve", { params: id }));
await step("The provider takes it live", provider.POST("/api/v1/listings/{id}/go-live", { params: id }));
await step("Anyone can find it", anyone.GET("/api/v1/marketplace/listings", { params: { query: { q: "outbox" } } }));
const order = await must(
  "A learner buys it with tok_visa",
  learner.POST("/api/v1/orders", {
    headers: idempotencyKey(`demo-${run}`),
    body: { items: [{ listingId: listing.listingId, planId: plan.planId }], payment: { method: "card", token: "tok_visa" } },
  }),
);
let view = await must("The order, just placed", learner.GET("/api/v1/orders/{orderId}", { params: { path: { orderId: order.orderId } } }));
for (let i = 0; i < 40 && view.status !== "fulfilled" && view.status !== "failed"; i++) {
  await pause(250);
  const { data } = await learner.GET("/api/v1/orders/{orderId}", { params: { path: { orderId: order.orderId } } });
  if (data) view = data;
}
console.log(`\n▶ The saga ran: ${(view.saga?.steps ?? []).map((s) => `${s.input} → ${s.to}`).join(", ")}`);
const licenseId = view.licenseIds[0];
if (licenseId) await step("The license", learner.GET("/api/v1/licenses/{licenseId}", { params: { path: { licenseId } } }));
const learnerId = `usr_learner_${run}`;
await step("The enrollment", learner.GET("/api/v1/enrollments", { params: { query: { userId: learnerId } } }));
await step("The learner may play the course", learner.GET("/api/v1/entitlements", { params: { query: { userId: learnerId, courseId } } }));
const events = await must(
  "Every fact of the flow, as published",
  admin.GET("/api/v1/ops/events", { params: { query: { correlationId: order.orderId } } }),
);
console.log(`\n  ${events.items.map((e) => e.type).join("\n  ")}`);
