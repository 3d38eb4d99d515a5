import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { base, ENTERPRISE, openEnterprise } from "../default-enrollments/support.js";
import type { Shop } from "../orders/purchase-support.js";

/**
 * Lists honour ?limit= and page with a cursor (API.md "Lists"; #18 item 7: the members list answered
 * 3,000 members at once), and a cursor this server did not issue is a 400, not an empty page.
 */
let shop: Shop;
beforeAll(async () => {
  shop = await openEnterprise();
}, 60_000);
afterAll(() => shop?.t.stop());

/** Every item of a list, page by page, with the page sizes seen. */
async function walk(url: string, token: string, limit: number): Promise<{ items: any[]; sizes: number[] }> {
  const items: any[] = [];
  const sizes: number[] = [];
  let cursor: string | null = null;
  for (let pages = 0; pages < 50; pages++) {
    const response = await shop.http("GET", `${url}${url.includes("?") ? "&" : "?"}limit=${limit}${cursor ? `&cursor=${cursor}` : ""}`, {
      token,
    });
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    items.push(...response.body.items);
    sizes.push(response.body.items.length);
    cursor = response.body.nextCursor;
    if (cursor === null) return { items, sizes };
  }
  throw new Error("the list never ended");
}

const GARBAGE_CURSORS = [
  "zzz",
  "AAAA",
  "!!",
  "eyJhIjoxfQ",
  Buffer.from('["not a date","x"]').toString("base64url"),
  Buffer.from("\u0000").toString("base64url"),
];

describe("paged lists", () => {
  it("pages a tenant's members by limit (default 50, at most 200) with a cursor, each member once, in join order", async () => {
    for (let i = 0; i < 7; i++) {
      shop.t.clock.advance(i % 2 === 0 ? 0 : 1_000); // ties on joined_at too: the user id breaks them
      const joined = await shop.http("POST", `/api/v1/tenants/${ENTERPRISE}/members`, {
        token: shop.admin,
        body: { userId: `usr_page_${i}` },
      });
      expect(joined.status).toBe(201);
    }
    const { items, sizes } = await walk(`/api/v1/tenants/${ENTERPRISE}/members`, shop.admin, 3);
    expect(sizes).toEqual([3, 3, 1]);
    expect(items.map((m) => m.userId).sort()).toEqual(Array.from({ length: 7 }, (_, i) => `usr_page_${i}`));
    expect(new Set(items.map((m) => m.userId)).size).toBe(7);
    const all = await shop.http("GET", `/api/v1/tenants/${ENTERPRISE}/members`, { token: shop.admin });
    expect(all.body.items).toHaveLength(7);
    expect(all.body.nextCursor).toBeNull();
    expect((await shop.http("GET", `/api/v1/tenants/${ENTERPRISE}/members?limit=201`, { token: shop.admin })).status).toBe(400);
  });

  it("pages an enterprise's default enrollment intentions the same way", async () => {
    for (let i = 0; i < 5; i++) {
      const courseId = `crs_page_${i}`;
      const created = await shop.http("POST", "/api/v1/catalog/courses", {
        token: shop.provider,
        body: { courseId, providerId: "prv_1", title: `Course ${i}` },
      });
      expect(created.status, JSON.stringify(created.body)).toBe(201);
      const intended = await shop.http("POST", `${base}/default-enrollment-intentions`, {
        token: shop.orgAdmin,
        body: { contentKey: courseId },
      });
      expect(intended.status, JSON.stringify(intended.body)).toBe(201);
    }
    const { items, sizes } = await walk(`${base}/default-enrollment-intentions`, shop.orgAdmin, 2);
    expect(sizes).toEqual([2, 2, 1]);
    expect(items.map((i) => i.contentKey).sort()).toEqual(["crs_page_0", "crs_page_1", "crs_page_2", "crs_page_3", "crs_page_4"]);
  });

  it("answers a cursor it did not issue with 400 REQUEST.CURSOR_INVALID on every paged list", async () => {
    const lists: Array<[string, string, string]> = [
      [`/api/v1/tenants/${ENTERPRISE}/members?`, shop.admin, "REQUEST.CURSOR_INVALID"],
      [`${base}/default-enrollment-intentions?`, shop.orgAdmin, "REQUEST.CURSOR_INVALID"],
      ["/api/v1/enrollments?userId=usr_buyer&", shop.buyer, "REQUEST.CURSOR_INVALID"],
      ["/api/v1/marketplace/listings?", shop.buyer, "BROWSE.CURSOR_INVALID"],
    ];
    for (const [url, token, code] of lists) {
      for (const cursor of GARBAGE_CURSORS) {
        const response = await shop.http("GET", `${url}cursor=${encodeURIComponent(cursor)}`, { token });
        expect(response.status, `${url} ${cursor}: ${JSON.stringify(response.body)}`).toBe(400);
        expect(response.body.code).toBe(code);
      }
    }
  });
});
