// A small HTTP load driver for the purchase figures (runs in the bench process; the server is a child process).
import { Agent, request } from "node:http";
import { percentile } from "./lib.js";

export interface Storefront {
  baseUrl: string;
  listingId: string;
  planId: string;
  tokens: string[];
}

/**
 * node:http with a keep-alive agent rather than fetch: the load generator shares the two cores
 * with the server it measures, and this costs it less CPU per request.
 */
const agent = new Agent({ keepAlive: true, maxSockets: 64 });

export function http(
  baseUrl: string,
  method: string,
  path: string,
  token: string | undefined,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; contentType: string; body: any }> {
  const payload = body !== undefined ? JSON.stringify(body) : undefined;
  return new Promise((resolve, reject) => {
    const req = request(
      `${baseUrl}${path}`,
      {
        method,
        agent,
        headers: {
          ...(token ? { authorization: `Bearer ${token}` } : {}),
          ...(payload !== undefined ? { "content-type": "application/json", "content-length": Buffer.byteLength(payload) } : {}),
          ...headers,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          let parsed: unknown = text;
          try {
            parsed = text ? JSON.parse(text) : null;
          } catch {
            // kept as text: the fault harness reports a non-JSON answer as a finding
          }
          resolve({ status: res.statusCode ?? 0, contentType: String(res.headers["content-type"] ?? ""), body: parsed });
        });
        res.on("error", reject);
      },
    );
    // A request nobody answers (a server killed mid-request by the fault harness) fails instead of hanging.
    req.setTimeout(15_000, () => req.destroy(new Error("no answer in 15 s")));
    req.on("error", reject);
    req.end(payload);
  });
}

/** Sets up one live one-time listing through the public API, as a provider would. */
export async function openStorefront(
  baseUrl: string,
  mint: (claims: { sub: string; tid: string; roles: string[]; pid?: string }) => Promise<string>,
  buyers: number,
): Promise<Storefront> {
  const admin = await mint({ sub: "usr_admin", tid: "ten_platform", roles: ["platform_admin"] });
  const provider = await mint({ sub: "usr_prov", tid: "ten_prov", roles: ["provider"], pid: "prv_bench" });
  const service = await mint({ sub: "svc", tid: "ten_platform", roles: ["service"] });
  const must = async (p: Promise<{ status: number; body: any }>, what: string) => {
    const r = await p;
    if (r.status >= 300) throw new Error(`${what}: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body;
  };
  const ingest = (type: string, payload: unknown, n: number) =>
    must(
      http(baseUrl, "POST", "/api/v1/events/ingest", service, {
        eventId: `evt_bench_${n}`,
        type,
        occurredAt: new Date().toISOString(),
        source: type.split(".")[0],
        payload,
      }),
      type,
    );
  await ingest("tenant.provider.kyc_verified.v1", { providerId: "prv_bench" }, 1);
  await must(
    http(baseUrl, "POST", "/api/v1/catalog/courses", admin, { courseId: "crs_bench", providerId: "prv_bench", title: "Bench course" }),
    "course",
  );
  await must(
    http(baseUrl, "POST", "/api/v1/catalog/courses/crs_bench/versions", admin, { courseVersionId: "cv_bench", label: "v1" }),
    "version",
  );
  await ingest("catalog.course_version.published.v1", { courseId: "crs_bench", courseVersionId: "cv_bench" }, 2);
  await ingest("content.play_package.built.v1", { courseId: "crs_bench", courseVersionId: "cv_bench" }, 3);
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  const listing = await must(
    http(baseUrl, "POST", "/api/v1/listings", provider, {
      courseId: "crs_bench",
      courseVersionId: "cv_bench",
      title: "Benchmarking in depth",
    }),
    "listing",
  );
  const plan = await must(
    http(baseUrl, "POST", `/api/v1/listings/${listing.listingId}/plans`, provider, { kind: "one_time", amount: 4900, currency: "USD" }),
    "plan",
  );
  await must(http(baseUrl, "POST", `/api/v1/listings/${listing.listingId}/submit`, provider), "submit");
  await must(http(baseUrl, "POST", `/api/v1/listings/${listing.listingId}/approve`, admin), "approve");
  await must(http(baseUrl, "POST", `/api/v1/listings/${listing.listingId}/go-live`, provider), "go-live");
  const tokens = await Promise.all(
    Array.from({ length: buyers }, (_, i) => mint({ sub: `usr_b${i}`, tid: `ten_b${i % 50}`, roles: ["learner"] })),
  );
  return { baseUrl, listingId: listing.listingId, planId: plan.planId, tokens };
}

export interface LoadResult {
  placed: number;
  errors: number;
  seconds: number;
  postLatencies: number[];
  orderIds: string[];
}

/** `connections` clients place orders back to back for `seconds` (or at `ratePerSecond` in total when given). */
export async function placeOrders(
  front: Storefront,
  options: { connections: number; seconds: number; ratePerSecond?: number; tag: string },
): Promise<LoadResult> {
  const latencies: number[] = [];
  const orderIds: string[] = [];
  let errors = 0;
  let n = 0;
  const started = Date.now();
  const end = started + options.seconds * 1000;
  const interval = options.ratePerSecond ? (1000 * options.connections) / options.ratePerSecond : 0;
  await Promise.all(
    Array.from({ length: options.connections }, async (_, c) => {
      let next = started + (interval * c) / options.connections;
      while (Date.now() < end) {
        if (interval) {
          const wait = next - Date.now();
          if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
          next += interval;
        }
        const i = n++;
        const t0 = performance.now();
        const response = await http(
          front.baseUrl,
          "POST",
          "/api/v1/orders",
          front.tokens[i % front.tokens.length],
          { items: [{ listingId: front.listingId, planId: front.planId }], payment: { method: "card", token: "tok_visa" } },
          { "idempotency-key": `${options.tag}-${i}` },
        );
        latencies.push(performance.now() - t0);
        if (response.status === 201) orderIds.push(response.body.orderId);
        else errors++;
      }
    }),
  );
  return {
    placed: orderIds.length,
    errors,
    seconds: (Date.now() - started) / 1000,
    postLatencies: latencies.sort((a, b) => a - b),
    orderIds,
  };
}

export const p = (sorted: number[], q: number) => Math.round(percentile(sorted, q) * 10) / 10;

async function eventsOfType(
  front: Storefront,
  admin: string,
  type: string,
  cursor: string | null,
): Promise<{ items: any[]; nextCursor: string | null }> {
  const query = `/api/v1/ops/events?type=${type}&limit=500${cursor ? `&cursor=${cursor}` : ""}`;
  return (await http(front.baseUrl, "GET", query, admin)).body;
}

/** Reads the published log until every order is fulfilled or failed; returns per-order placed→fulfilled times. */
export async function awaitFulfilment(front: Storefront, admin: string, orderIds: readonly string[], timeoutMs = 120_000) {
  const wanted = new Set(orderIds);
  const placedAt = new Map<string, number>();
  const doneAt = new Map<string, number>();
  const failedIds = new Set<string>();
  // Each poll reads the log from the start: rows are published out of position order (bucket by
  // bucket), so resuming after the last position seen could skip a late-published earlier row.
  const cursors: Record<string, string | null> = { placed: null, fulfilled: null, failed: null };
  const deadline = Date.now() + timeoutMs;
  // Wait with small reads until the newest orders are done (the flow is roughly first in, first
  // out): sweeping the whole log on every poll loaded the system under test while it drained.
  for (let i = orderIds.length - 1; i >= Math.max(0, orderIds.length - 20);) {
    if (Date.now() > deadline) throw new Error(`order ${orderIds[i]} not done in time`);
    const order = await http(front.baseUrl, "GET", `/api/v1/orders/${orderIds[i]}`, admin);
    if (order.body?.status === "fulfilled" || order.body?.status === "failed") i--;
    else await new Promise((resolve) => setTimeout(resolve, 50));
  }
  while (doneAt.size + failedIds.size < wanted.size) {
    if (Date.now() > deadline) throw new Error(`only ${doneAt.size}/${wanted.size} orders fulfilled in time`);
    for (const kind of ["placed", "fulfilled", "failed"] as const) {
      cursors[kind] = null;
      for (;;) {
        const page = await eventsOfType(front, admin, `marketplace.order.${kind}.v1`, cursors[kind] ?? null);
        for (const event of page.items) {
          if (!wanted.has(event.payload.orderId)) continue;
          const at = Date.parse(event.occurredAt);
          if (kind === "placed") placedAt.set(event.payload.orderId, at);
          else if (kind === "fulfilled") doneAt.set(event.payload.orderId, at);
          else failedIds.add(event.payload.orderId);
        }
        if (page.items.length > 0) cursors[kind] = String(page.items[page.items.length - 1].position);
        if (!page.nextCursor) break;
      }
    }
    if (doneAt.size + failedIds.size < wanted.size) await new Promise((resolve) => setTimeout(resolve, 250));
  }
  const lags = [...doneAt].map(([id, at]) => at - placedAt.get(id)!).sort((a, b) => a - b);
  const first = Math.min(...placedAt.values());
  const last = Math.max(...doneAt.values());
  return { fulfilled: doneAt.size, failed: failedIds.size, lags, spanSeconds: (last - first) / 1000 };
}
