// npm run demo: walks a whole purchase against a running service (npm start in another terminal),
// printing each step: provider and course, listing live, a purchase with tok_visa, and what it produced.
import { embeddedSecret } from "../src/app.js";
import { loadConfig } from "../src/platform/config.js";
import { mintToken } from "../src/platform/http/auth.js";

const config = loadConfig();
const base = process.env.BASE_URL ?? `http://localhost:${config.port}`;
const secret = config.auth.secret ?? embeddedSecret(config.dataDir);
const token = (sub: string, tid: string, roles: string[], pid?: string) => mintToken(secret, { sub, tid, roles, pid });
const run = Date.now().toString(36);

async function step(title: string, method: string, path: string, bearer?: string, body?: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: {
      ...(bearer ? { authorization: `Bearer ${bearer}` } : {}),
      ...(body ? { "content-type": "application/json" } : {}),
      ...headers,
    },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  const json = await response.json().catch(() => null);
  console.log(`\n▶ ${title}\n  ${method} ${path} → ${response.status}`);
  console.log(`  ${JSON.stringify(json)?.slice(0, 400)}`);
  if (response.status >= 400) process.exit(1);
  return json;
}
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const admin = await token("usr_admin", "ten_platform", ["platform_admin"]);
const service = await token("svc_catalog", "ten_platform", ["service"]);
const providerId = `prv_demo_${run}`;
const provider = await token("usr_author", `ten_author_${run}`, ["provider"], providerId);
const learner = await token(`usr_learner_${run}`, `ten_learner_${run}`, ["learner"]);
const courseId = `crs_demo_${run}`;
const versionId = `cv_demo_${run}`;

await step("A platform admin onboards a provider", "POST", "/api/v1/tenants", admin, {
  tenantId: `ten_author_${run}`,
  name: "Author Ltd",
  kind: "organization",
});
await step("…registers it", "POST", "/api/v1/providers", admin, { providerId, tenantId: `ten_author_${run}`, name: "Author Ltd" });
await step("…and KYC comes back verified", "POST", `/api/v1/providers/${providerId}/kyc`, admin, { status: "verified" });
await step("The provider's course", "POST", "/api/v1/catalog/courses", provider, { courseId, providerId, title: "Event-driven systems" });
await step("…and its first version", "POST", `/api/v1/catalog/courses/${courseId}/versions`, provider, {
  courseVersionId: versionId,
  label: "2026.1",
});
const upstream = (type: string) => ({
  eventId: `evt_${type}_${run}`,
  type,
  occurredAt: new Date().toISOString(),
  source: type.split(".")[0],
  payload: { courseId, courseVersionId: versionId },
});
await step(
  "Catalog publishes the version (upstream event)",
  "POST",
  "/api/v1/events/ingest",
  service,
  upstream("catalog.course_version.published.v1"),
);
await step(
  "Content built its play package (upstream event)",
  "POST",
  "/api/v1/events/ingest",
  service,
  upstream("content.play_package.built.v1"),
);
await pause(500);
const listing = await step("The provider drafts a listing", "POST", "/api/v1/listings", provider, {
  courseId,
  courseVersionId: versionId,
  title: "Event-driven systems, hands on",
  description: "Outbox, sagas and idempotent consumers",
});
const plan = await step("…prices it (USD 49.00, one time)", "POST", `/api/v1/listings/${listing.listingId}/plans`, provider, {
  kind: "one_time",
  amount: 4900,
  currency: "USD",
});
await step("…submits it", "POST", `/api/v1/listings/${listing.listingId}/submit`, provider);
await step("The platform approves it", "POST", `/api/v1/listings/${listing.listingId}/approve`, admin);
await step("The provider takes it live", "POST", `/api/v1/listings/${listing.listingId}/go-live`, provider);
await step("Anyone can find it", "GET", `/api/v1/marketplace/listings?q=outbox`);
const order = await step(
  "A learner buys it with tok_visa",
  "POST",
  "/api/v1/orders",
  learner,
  { items: [{ listingId: listing.listingId, planId: plan.planId }], payment: { method: "card", token: "tok_visa" } },
  { "idempotency-key": `demo-${run}` },
);
let view: any;
for (let i = 0; i < 40; i++) {
  await pause(250);
  view = await (await fetch(`${base}/api/v1/orders/${order.orderId}`, { headers: { authorization: `Bearer ${learner}` } })).json();
  if (view.status === "fulfilled" || view.status === "failed") break;
}
console.log(`\n▶ The saga ran: ${view.saga.steps.map((s: any) => `${s.input} → ${s.to}`).join(", ")}`);
await step("The license", "GET", `/api/v1/licenses/${view.licenseIds[0]}`, learner);
await step("The enrollment", "GET", `/api/v1/enrollments?userId=usr_learner_${run}`, learner);
await step("The learner may play the course", "GET", `/api/v1/entitlements?userId=usr_learner_${run}&courseId=${courseId}`, learner);
const events = await step("Every fact of the flow, as published", "GET", `/api/v1/ops/events?correlationId=${order.orderId}`, admin);
console.log(`\n  ${events.items.map((e: any) => e.type).join("\n  ")}`);
