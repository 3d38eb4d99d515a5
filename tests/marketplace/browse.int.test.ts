import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  catalogCourse,
  draftListing,
  liveListing,
  readyVersion,
  startMarket,
  verifiedProvider,
  type Market,
} from "./marketplace-fixture.js";

let m: Market;
const ids: Record<string, string> = {};

beforeAll(async () => {
  m = await startMarket();
  await verifiedProvider(m);
  await verifiedProvider(m, "prv_2");
  await readyVersion(m, "crs_1", "cv_1");
  // Title matches outrank description matches; listings differ in plans for the filters.
  ids.kafkaTitle = await liveListing(
    m,
    { title: "Kafka streams for engineers", description: "Event pipelines" },
    { kind: "one_time", amount: 9900, currency: "USD" },
  );
  ids.kafkaBoth = await liveListing(
    m,
    { title: "Kafka in production: Kafka operations", description: "Run Kafka clusters" },
    { kind: "subscription", amount: 1900, currency: "USD", interval: "month" },
  );
  ids.kafkaDescription = await liveListing(
    m,
    { title: "Distributed systems", description: "Covers Kafka briefly" },
    { kind: "seat_pack", amount: 50_000, currency: "EUR", seats: 10 },
  );
  ids.typescript = await liveListing(
    m,
    { title: "TypeScript generics", description: "Types all the way down" },
    { kind: "one_time", amount: 2900, currency: "EUR" },
  );
  ids.draft = await draftListing(m, { title: "Kafka draft not for sale" });
  await catalogCourse(m, "crs_2", "prv_2", ["cv_b1"]);
  await readyVersion(m, "crs_2", "cv_b1");
  const other = await m.call("POST", "/api/v1/listings", {
    token: m.otherProvider,
    body: { courseId: "crs_2", courseVersionId: "cv_b1", title: "Kafka by another provider" },
  });
  ids.other = other.body.listingId;
  await m.call("POST", `/api/v1/listings/${ids.other}/plans`, {
    token: m.otherProvider,
    body: { kind: "site_license", amount: 500_000, currency: "USD" },
  });
  for (const [step, token] of [
    ["submit", m.otherProvider],
    ["approve", m.admin],
    ["go-live", m.otherProvider],
  ] as const)
    await m.call("POST", `/api/v1/listings/${ids.other}/${step}`, { token });
  ids.suspended = await liveListing(m, { title: "Kafka suspended" });
  await m.call("POST", `/api/v1/listings/${ids.suspended}/suspend`, { token: m.admin, body: { reason: "complaint" } });
});
afterAll(async () => m?.t.stop());

const browse = (query: string) => m.call("GET", `/api/v1/marketplace/listings${query}`);

describe("public browse", () => {
  it("needs no token and shows live listings only, with their current plans", async () => {
    const response = await browse("");
    expect(response.status).toBe(200);
    const listed = response.body.items.map((i: any) => i.listingId);
    expect(new Set(listed)).toEqual(new Set([ids.kafkaTitle, ids.kafkaBoth, ids.kafkaDescription, ids.typescript, ids.other]));
    const ts = response.body.items.find((i: any) => i.listingId === ids.typescript);
    expect(ts.plans).toEqual([expect.objectContaining({ kind: "one_time", amount: 2900, currency: "EUR", version: 1 })]);
  });

  it("ranks by relevance: title matches before description matches", async () => {
    const response = await browse("?q=kafka");
    const listed = response.body.items.map((i: any) => i.listingId);
    expect(listed).not.toContain(ids.draft);
    expect(listed).not.toContain(ids.suspended);
    expect(listed).not.toContain(ids.typescript);
    expect(listed[0]).toBe(ids.kafkaBoth);
    expect(listed.indexOf(ids.kafkaDescription)).toBe(listed.length - 1);
    const ranks = response.body.items.map((i: any) => i.rank);
    expect([...ranks].sort((a, b) => b - a)).toEqual(ranks);
  });

  it("matches word forms and ignores punctuation in the query", async () => {
    expect((await browse("?q=generic")).body.items.map((i: any) => i.listingId)).toEqual([ids.typescript]);
    expect((await browse(`?q=${encodeURIComponent('"kafka streams" -production')}`)).body.items.map((i: any) => i.listingId)).toEqual([
      ids.kafkaTitle,
    ]);
    expect((await browse("?q=%27%29%3B%20DROP%20TABLE")).status).toBe(200);
  });

  it("filters by plan kind, currency, provider and price on the current plan version", async () => {
    const listed = async (query: string) => (await browse(query)).body.items.map((i: any) => i.listingId).sort();
    expect(await listed("?kind=subscription")).toEqual([ids.kafkaBoth]);
    expect(await listed("?currency=EUR")).toEqual([ids.kafkaDescription, ids.typescript].sort());
    expect(await listed("?providerId=prv_2")).toEqual([ids.other]);
    expect(await listed("?currency=USD&maxPrice=10000")).toEqual([ids.kafkaTitle, ids.kafkaBoth].sort());
    expect(await listed("?q=kafka&currency=USD&minPrice=5000")).toEqual([ids.kafkaTitle, ids.other].sort());

    // A price change moves the listing in or out of a price filter.
    const plan = (await m.call("GET", `/api/v1/listings/${ids.kafkaTitle}`)).body.plans[0];
    await m.call("POST", `/api/v1/listings/${ids.kafkaTitle}/plans/${plan.planId}/versions`, {
      token: m.provider,
      body: { amount: 20000, currency: "USD" },
    });
    expect(await listed("?currency=USD&maxPrice=10000")).toEqual([ids.kafkaBoth]);
    const shown = (await browse("?q=streams")).body.items.find((i: any) => i.listingId === ids.kafkaTitle);
    expect(shown.plans).toEqual([expect.objectContaining({ planId: plan.planId, version: 2, amount: 20000, currency: "USD" })]);
    await m.call("POST", `/api/v1/listings/${ids.kafkaTitle}/plans/${plan.planId}/versions`, {
      token: m.provider,
      body: { amount: 9900, currency: "USD" },
    });
  });

  it("refuses a price filter without a currency, a forged cursor and unknown parameters with 400", async () => {
    expect((await browse("?minPrice=100")).body.code).toBe("BROWSE.CURRENCY_REQUIRED");
    expect((await browse("?cursor=bm90LWEtY3Vyc29y")).body.code).toBe("BROWSE.CURSOR_INVALID");
    const unknown = await browse("?sort=price");
    expect(unknown.status).toBe(400);
    expect(unknown.headers["content-type"]).toContain("application/problem+json");
    expect((await browse("?limit=0")).status).toBe(400);
    expect((await browse("?kind=lifetime")).status).toBe(400);
  });
});

describe("browse pagination", () => {
  let all: string[];
  beforeAll(async () => {
    // Many equally ranked listings: the id tiebreak must keep pages disjoint and complete.
    for (let i = 0; i < 23; i++) await liveListing(m, { title: `Rust course ${i}`, description: i % 3 === 0 ? "rust rust" : "systems" });
    all = (await browse("?q=rust&limit=100")).body.items.map((i: any) => i.listingId);
  });

  async function walk(query: string, limit: number): Promise<string[]> {
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const response: any = await browse(`${query}&limit=${limit}${cursor ? `&cursor=${cursor}` : ""}`);
      expect(response.status).toBe(200);
      expect(response.body.items.length).toBeLessThanOrEqual(limit);
      seen.push(...response.body.items.map((i: any) => i.listingId));
      cursor = response.body.nextCursor;
    } while (cursor);
    return seen;
  }

  it("walks every page with no duplicates and no gaps, in the same order as one big page", async () => {
    expect(all).toHaveLength(23);
    for (const limit of [1, 4, 7, 23]) expect(await walk("?q=rust", limit)).toEqual(all);
  });

  it("pages through everything without a query too, in a stable order", async () => {
    const everything = (await browse("?limit=100")).body.items.map((i: any) => i.listingId);
    expect(new Set(everything).size).toBe(everything.length);
    expect(await walk("?currency=USD", 5)).toEqual((await browse("?currency=USD&limit=100")).body.items.map((i: any) => i.listingId));
    expect(await walk("?q=", 6)).toEqual(everything);
  });

  it("returns no next cursor on the last page", async () => {
    const response = await browse("?q=rust&limit=23");
    expect(response.body.nextCursor).toBeNull();
  });
});
