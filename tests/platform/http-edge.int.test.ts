import { connect } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, startTestApp, type TestApp } from "../support/test-app.js";

/**
 * #18 item 7, the HTTP edge: router and parser errors are problems, rate limiting answers 429 with
 * Retry-After, CORS only for configured origins, security headers that leave /docs working, and
 * /metrics only for its token or a loopback caller.
 */
// Two apps: the defaults, and one with every protection configured (callers apart by address).
let plain: TestApp;
let configured: TestApp;
beforeAll(async () => {
  [plain, configured] = await Promise.all([
    startTestApp({ workers: false }),
    startTestApp({
      workers: false,
      env: {
        RATE_LIMIT_MAX: "3",
        RATE_LIMIT_WINDOW_MS: "60000",
        CORS_ORIGINS: "https://shop.example, https://admin.example",
        METRICS_TOKEN: "scrape-me-0123456789",
      },
    }),
  ]);
}, 60_000);
afterAll(async () => {
  await plain?.stop();
  await configured?.stop();
});
const isProblem = (response: { status: number; body: any; headers: Record<string, unknown> }, status: number, code: string) => {
  expect(response.status).toBe(status);
  expect(String(response.headers["content-type"])).toContain("application/problem+json");
  expect(response.body.code).toBe(code);
};

/** Raw bytes over a real socket: what the HTTP parser refuses never reaches inject(). */
async function raw(t: TestApp, request: string): Promise<string> {
  const address = await t.app.server.listen({ port: 0, host: "127.0.0.1" });
  const { port } = new URL(address);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), "127.0.0.1", () => socket.write(request));
    let received = "";
    socket.on("data", (chunk) => (received += chunk.toString("latin1")));
    socket.on("close", () => resolve(received));
    socket.on("error", reject);
    socket.setTimeout(5_000, () => socket.destroy(new Error("no answer")));
  });
}

describe("router and parser errors", () => {
  it("answers a badly encoded URL, an over-long path segment and a malformed request as problems", async () => {
    const t = plain;
    isProblem(await call(t.app, "GET", "/%E0%A4%A"), 400, "REQUEST.BAD_URL");
    isProblem(await call(t.app, "GET", "/api/v1/listings/%ED%A0%80"), 400, "REQUEST.BAD_URL");
    isProblem(await call(t.app, "GET", `/api/v1/listings/${"x".repeat(600)}`), 414, "REQUEST.URI_TOO_LONG");
    const answer = await raw(t, "GET /health HTTP/1.1\r\nHost: x\r\nBad Header Line\r\n\r\n");
    expect(answer).toMatch(/^HTTP\/1\.1 400 /);
    expect(answer).toContain("Content-Type: application/problem+json");
    expect(answer).toContain('"code":"REQUEST.MALFORMED"');
  });
});

describe("rate limiting", () => {
  it("answers 429 RATE_LIMITED with Retry-After once a token spends its window, per token, never on probes", async () => {
    const t = configured;
    const one = await t.token({ sub: "usr_1", tid: "ten_1", roles: ["learner"] });
    const two = await t.token({ sub: "usr_2", tid: "ten_1", roles: ["learner"] });
    for (let i = 0; i < 3; i++) expect((await call(t.app, "GET", "/api/v1/marketplace/listings", { token: one })).status).toBe(200);
    const limited = await call(t.app, "GET", "/api/v1/marketplace/listings", { token: one });
    isProblem(limited, 429, "RATE_LIMITED");
    expect(Number(limited.headers["retry-after"])).toBeGreaterThan(0);
    expect((await call(t.app, "GET", "/api/v1/marketplace/listings", { token: two })).status).toBe(200);
    for (let i = 0; i < 5; i++) expect((await call(t.app, "GET", "/health")).status).toBe(200);
    // Anonymous callers are counted by address.
    const anonymous = () => t.app.server.inject({ method: "GET", url: "/api/v1/marketplace/listings", remoteAddress: "10.0.0.60" });
    for (let i = 0; i < 3; i++) expect((await anonymous()).statusCode).toBe(200);
    const spent = await anonymous();
    expect(spent.statusCode).toBe(429);
    expect(spent.json().code).toBe("RATE_LIMITED");
    expect((await t.app.server.inject({ method: "GET", url: "/api/v1/marketplace/listings", remoteAddress: "10.0.0.61" })).statusCode).toBe(
      200,
    );
    // A made-up Authorization header per request buys no fresh budget: it counts against the address.
    const forged = (i: number) =>
      t.app.server.inject({
        method: "GET",
        url: "/api/v1/marketplace/listings",
        remoteAddress: "10.0.0.62",
        headers: { authorization: `Bearer forged.${i}.token` },
      });
    for (let i = 0; i < 3; i++) expect((await forged(i)).statusCode).toBe(200);
    expect((await forged(99)).statusCode).toBe(429);
  });
});

describe("CORS and security headers", () => {
  it("sends no CORS headers by default, and allows exactly the configured origins", async () => {
    const none = await plain.app.server.inject({
      method: "GET",
      url: "/api/v1/marketplace/listings",
      headers: { origin: "https://shop.example" },
    });
    expect(none.headers["access-control-allow-origin"]).toBeUndefined();

    const open = configured;
    const preflight = await open.app.server.inject({
      method: "OPTIONS",
      url: "/api/v1/marketplace/listings",
      remoteAddress: "10.0.0.50",
      headers: {
        origin: "https://shop.example",
        "access-control-request-method": "GET",
        "access-control-request-headers": "authorization",
      },
    });
    expect(preflight.statusCode).toBeLessThan(300);
    expect(preflight.headers["access-control-allow-origin"]).toBe("https://shop.example");
    const stranger = await open.app.server.inject({
      method: "GET",
      url: "/api/v1/marketplace/listings",
      remoteAddress: "10.0.0.51",
      headers: { origin: "https://evil.example" },
    });
    expect(stranger.headers["access-control-allow-origin"]).toBeUndefined();
  });

  it("sends security headers, with a policy /docs can live with (same-origin scripts and styles only)", async () => {
    const t = plain;
    const api = await t.app.server.inject({ method: "GET", url: "/health" });
    expect(api.headers["x-content-type-options"]).toBe("nosniff");
    expect(api.headers["x-frame-options"]).toBeDefined();
    const docs = await t.app.server.inject({ method: "GET", url: "/docs/" });
    expect(docs.statusCode).toBe(200);
    const policy = String(docs.headers["content-security-policy"]);
    expect(policy).toContain("script-src 'self'");
    // Every script and stylesheet the page loads is a relative (same-origin) path, and none is inline.
    const sources = [...docs.body.matchAll(/<script([^>]*)>([^<]*)<\/script>/g)];
    expect(sources.length).toBeGreaterThan(0);
    for (const [, attributes, inline] of sources) {
      expect(attributes).toMatch(/src="\.?\/?[^":]+"/);
      expect(inline!.trim()).toBe("");
    }
    const initializer = await t.app.server.inject({ method: "GET", url: "/docs/static/swagger-initializer.js" });
    expect(initializer.statusCode).toBe(200);
  });
});

describe("/metrics", () => {
  it("serves loopback callers only when METRICS_TOKEN is unset", async () => {
    const t = plain;
    expect((await t.app.server.inject({ method: "GET", url: "/metrics" })).statusCode).toBe(200);
    const remote = await t.app.server.inject({ method: "GET", url: "/metrics", remoteAddress: "10.1.2.3" });
    expect(remote.statusCode).toBe(403);
    expect(remote.json().code).toBe("AUTH.FORBIDDEN");
  });

  it("needs the token as a bearer token when METRICS_TOKEN is set, from any address", async () => {
    const t = configured;
    const get = (authorization?: string) =>
      t.app.server.inject({ method: "GET", url: "/metrics", remoteAddress: "10.1.2.3", headers: authorization ? { authorization } : {} });
    expect((await get()).statusCode).toBe(401);
    expect((await get("Bearer wrong")).statusCode).toBe(401);
    expect((await get("Bearer scrape-me-0123456789")).statusCode).toBe(200);
  });
});
