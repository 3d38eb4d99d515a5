import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SignJWT } from "jose";
import { probeModule } from "../support/probe.js";
import { call, onPostgres, startTestApp, type TestApp } from "../support/test-app.js";

let t: TestApp;
let learner: string;
let admin: string;
let service: string;
beforeAll(async () => {
  t = await startTestApp({ modules: [probeModule()] });
  learner = await t.token({ sub: "usr_l", tid: "ten_1", roles: ["learner"] });
  admin = await t.token({ sub: "usr_a", tid: "ten_platform", roles: ["platform_admin"] });
  service = await t.token({ sub: "svc_catalog", tid: "ten_platform", roles: ["service"] });
});
afterAll(() => t?.stop());

const notes = async () =>
  Number((await t.app.kernel.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM platform.probe_notes`)).rows[0]!.n);
const outboxRows = async () =>
  Number((await t.app.kernel.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM platform.outbox`)).rows[0]!.n);

function expectProblem(response: { status: number; body: any; headers: Record<string, unknown> }, status: number, code: string) {
  expect(response.status).toBe(status);
  expect(String(response.headers["content-type"])).toContain("application/problem+json");
  expect(response.body).toMatchObject({ status, code, title: expect.any(String), type: expect.any(String) });
}

describe("service endpoints", () => {
  it("answers health, readiness, metrics and the OpenAPI document", async () => {
    expect((await call(t.app, "GET", "/health")).body).toEqual({ status: "ok" });
    const ready = await call(t.app, "GET", "/ready");
    expect(ready.status).toBe(200);
    expect(ready.body.database).toBe(true);
    const metrics = await call(t.app, "GET", "/metrics");
    expect(metrics.body).toContain("http_request_duration_seconds");
    const openapi = await call(t.app, "GET", "/openapi.json");
    expect(openapi.body.openapi).toMatch(/^3\./);
    expect(Object.keys(openapi.body.paths)).toContain("/api/v1/events/ingest");
    expect((await call(t.app, "GET", "/docs/")).status).toBe(200);
  });

  it("describes the purchase routes' answers, headers and security in the OpenAPI document", async () => {
    const { paths, components } = (await call(t.app, "GET", "/openapi.json")).body;
    // A shared view (Order, PlacedOrder) is a $ref to components.schemas.
    const resolved = (schema: { $ref?: string; properties?: object }) =>
      schema.$ref ? components.schemas[schema.$ref.replace("#/components/schemas/", "")] : schema;
    const answer = (path: string, method: string, status: string) =>
      resolved(paths[path][method].responses[status].content["application/json"].schema).properties;
    expect(Object.keys(answer("/api/v1/orders", "post", "201"))).toEqual(["orderId", "status", "totals", "refundDeadline"]);
    expect(answer("/api/v1/orders/{orderId}", "get", "200")).toHaveProperty("saga.properties.steps");
    expect(Object.keys(answer("/api/v1/payments/process", "post", "201"))).toEqual(
      expect.arrayContaining(["paymentId", "status", "walletBreakdown", "refunds", "walletShortfall"]),
    );
    expect(Object.keys(answer("/api/v1/wallets/{userId}/credits", "post", "201"))).toContain("balanceAfter");
    for (const path of ["/api/v1/orders", "/api/v1/payments/process", "/api/v1/wallets/{userId}/credits"]) {
      expect(paths[path].post.security).toEqual([{ bearer: [] }]);
      expect(paths[path].post.parameters.map((p: { name: string; in: string }) => `${p.in}:${p.name}`)).toContain("header:idempotency-key");
    }
  });

  it("echoes the request id and answers unknown routes with a problem", async () => {
    const response = await call(t.app, "GET", "/api/v1/nope", { headers: { "x-request-id": "req_mine" } });
    expectProblem(response, 404, "ROUTE.NOT_FOUND");
    expect(response.headers["x-request-id"]).toBe("req_mine");
  });
});

describe("bad input writes nothing", () => {
  const cases: Array<
    [string, { token?: () => string; body?: unknown; rawBody?: string; headers?: Record<string, string> }, number, string]
  > = [
    [
      "malformed JSON",
      { token: () => learner, rawBody: '{"text": ', headers: { "idempotency-key": "k-malformed" } },
      400,
      "REQUEST.MALFORMED_JSON",
    ],
    [
      "a wrong type",
      { token: () => learner, body: { text: 42 }, headers: { "idempotency-key": "k-type" } },
      400,
      "REQUEST.VALIDATION_FAILED",
    ],
    [
      "a number sent as a string",
      { token: () => learner, body: { text: "hi", copies: "2" }, headers: { "idempotency-key": "k-coerce" } },
      400,
      "REQUEST.VALIDATION_FAILED",
    ],
    [
      "an unknown field",
      { token: () => learner, body: { text: "hi", admin: true }, headers: { "idempotency-key": "k-unknown" } },
      400,
      "REQUEST.VALIDATION_FAILED",
    ],
    ["a missing field", { token: () => learner, body: {}, headers: { "idempotency-key": "k-missing" } }, 400, "REQUEST.VALIDATION_FAILED"],
    ["no token", { body: { text: "hi" }, headers: { "idempotency-key": "k-anon" } }, 401, "AUTH.TOKEN_MISSING"],
    [
      "a forged token",
      { token: () => learner.slice(0, -4) + "AAAA", body: { text: "hi" }, headers: { "idempotency-key": "k-forged" } },
      401,
      "AUTH.TOKEN_INVALID",
    ],
    ["the wrong role", { token: () => service, body: { text: "hi" }, headers: { "idempotency-key": "k-role" } }, 403, "AUTH.FORBIDDEN"],
    // Who may call comes before what the body says: a stranger learns nothing of the schema.
    ["no token and a bad body", { body: { text: 42 }, headers: { "idempotency-key": "k-anon-bad" } }, 401, "AUTH.TOKEN_MISSING"],
    [
      "the wrong role and a bad body",
      { token: () => service, body: {}, headers: { "idempotency-key": "k-role-bad" } },
      403,
      "AUTH.FORBIDDEN",
    ],
    ["no Idempotency-Key", { token: () => learner, body: { text: "hi" } }, 400, "IDEMPOTENCY.KEY_REQUIRED"],
    [
      "a business refusal",
      { token: () => learner, body: { text: "forbidden" }, headers: { "idempotency-key": "k-refused" } },
      409,
      "PROBE.REFUSED",
    ],
  ];
  for (const [name, request, status, code] of cases) {
    it(`answers ${name} with ${status} ${code}`, async () => {
      const before = { notes: await notes(), outbox: await outboxRows() };
      const response = await call(t.app, "POST", "/api/v1/probe/notes", { ...request, token: request.token?.() });
      expectProblem(response, status, code);
      expect({ notes: await notes(), outbox: await outboxRows() }).toEqual(before);
    });
  }

  it("names the offending field", async () => {
    const response = await call(t.app, "POST", "/api/v1/probe/notes", {
      token: learner,
      body: { text: "" },
      headers: { "idempotency-key": "k-path" },
    });
    expect(response.body.errors[0].path).toBe("body/text");
  });

  it("refuses an expired token", async () => {
    const expired = await new SignJWT({ tid: "ten_1", roles: ["learner"] })
      .setProtectedHeader({ alg: "HS256" })
      .setSubject("usr_l")
      .setExpirationTime(Math.floor(Date.now() / 1000) - 60)
      .sign(new TextEncoder().encode("test-secret-which-is-long-enough-for-hs256"));
    expectProblem(await call(t.app, "GET", "/api/v1/ops/dlq", { token: expired }), 401, "AUTH.TOKEN_INVALID");
  });
});

describe("Idempotency-Key", () => {
  it("returns the first response for a retried request and writes once", async () => {
    const before = await notes();
    const first = await call(t.app, "POST", "/api/v1/probe/notes", {
      token: learner,
      body: { text: "once" },
      headers: { "idempotency-key": "k-retry" },
    });
    const second = await call(t.app, "POST", "/api/v1/probe/notes", {
      token: learner,
      body: { text: "once" },
      headers: { "idempotency-key": "k-retry" },
    });
    expect(first.status).toBe(201);
    expect(second.status).toBe(201);
    expect(second.body.noteId).toBe(first.body.noteId);
    expect(await notes()).toBe(before + 1);
  });

  it("refuses the same key with a different body (422)", async () => {
    await call(t.app, "POST", "/api/v1/probe/notes", { token: learner, body: { text: "a" }, headers: { "idempotency-key": "k-body" } });
    expectProblem(
      await call(t.app, "POST", "/api/v1/probe/notes", { token: learner, body: { text: "b" }, headers: { "idempotency-key": "k-body" } }),
      422,
      "IDEMPOTENCY.KEY_REUSED",
    );
  });

  it("takes the same body with its fields in another order as the same request", async () => {
    const before = await notes();
    const first = await call(t.app, "POST", "/api/v1/probe/notes", {
      token: learner,
      rawBody: '{"text":"ordered","copies":2}',
      headers: { "idempotency-key": "k-order" },
    });
    const second = await call(t.app, "POST", "/api/v1/probe/notes", {
      token: learner,
      rawBody: '{"copies":2,"text":"ordered"}',
      headers: { "idempotency-key": "k-order" },
    });
    expect(first.status).toBe(201);
    expect(second).toMatchObject({ status: 201, body: { noteId: first.body.noteId } });
    expect(await notes()).toBe(before + 1);
  });

  it("keeps the keys of two tenants apart, though their users share an id", async () => {
    const elsewhere = await t.token({ sub: "usr_l", tid: "ten_2", roles: ["learner"] });
    const before = await notes();
    const mine = await call(t.app, "POST", "/api/v1/probe/notes", {
      token: learner,
      body: { text: "same" },
      headers: { "idempotency-key": "k-tenant" },
    });
    const theirs = await call(t.app, "POST", "/api/v1/probe/notes", {
      token: elsewhere,
      body: { text: "same" },
      headers: { "idempotency-key": "k-tenant" },
    });
    expect([mine.status, theirs.status]).toEqual([201, 201]);
    expect(theirs.body.noteId).not.toBe(mine.body.noteId);
    expect(await notes()).toBe(before + 2);
  });

  it.runIf(onPostgres)("writes once when the same key arrives 20 times at once", async () => {
    const before = await notes();
    const responses = await Promise.all(
      Array.from({ length: 20 }, () =>
        call(t.app, "POST", "/api/v1/probe/notes", { token: learner, body: { text: "burst" }, headers: { "idempotency-key": "k-burst" } }),
      ),
    );
    expect(new Set(responses.map((r) => r.status))).toEqual(new Set([201]));
    expect(new Set(responses.map((r) => r.body.noteId)).size).toBe(1);
    expect(await notes()).toBe(before + 1);
  });
});

describe("upstream events in", () => {
  const upstream = (eventId: string, payload: unknown, type = "catalog.course_version.published.v1") => ({
    eventId,
    type,
    occurredAt: "2026-03-01T08:00:00Z",
    source: "catalog",
    payload,
  });

  it("accepts an upstream envelope once and logs it as published", async () => {
    const body = upstream("evt_up_1", { courseId: "crs_1", courseVersionId: "cv_1" });
    const first = await call(t.app, "POST", "/api/v1/events/ingest", { token: service, body });
    const again = await call(t.app, "POST", "/api/v1/events/ingest", { token: service, body });
    expect(first.status).toBe(202);
    expect(again.status).toBe(202);
    expect(again.body.duplicate).toBe(true);
    await t.settle();
    const log = await call(t.app, "GET", "/api/v1/ops/events?type=catalog.course_version.published.v1", { token: admin });
    expect(log.body.items.filter((e: any) => e.eventId === "evt_up_1")).toHaveLength(1);
  });

  it("refuses our own wire types, unknown types and bad payloads", async () => {
    expectProblem(
      await call(t.app, "POST", "/api/v1/events/ingest", {
        token: service,
        body: upstream("evt_x1", { key: "k", seq: 1 }, "probe.pinged.v1"),
      }),
      422,
      "EVENT.TYPE_NOT_ACCEPTED",
    );
    expectProblem(
      await call(t.app, "POST", "/api/v1/events/ingest", { token: service, body: upstream("evt_x2", {}, "made.up.v1") }),
      422,
      "EVENT.TYPE_NOT_ACCEPTED",
    );
    expectProblem(
      await call(t.app, "POST", "/api/v1/events/ingest", { token: service, body: upstream("evt_x3", { courseId: 7 }) }),
      400,
      "EVENT.PAYLOAD_INVALID",
    );
    expectProblem(
      await call(t.app, "POST", "/api/v1/events/ingest", {
        token: learner,
        body: upstream("evt_x4", { courseId: "c", courseVersionId: "v" }),
      }),
      403,
      "AUTH.FORBIDDEN",
    );
    const stored = await t.app.kernel.db.query(`SELECT 1 FROM platform.outbox WHERE event_id LIKE 'evt_x%'`);
    expect(stored.rows).toHaveLength(0);
  });

  it("keeps the published log for operators only", async () => {
    expectProblem(await call(t.app, "GET", "/api/v1/ops/events", { token: learner }), 403, "AUTH.FORBIDDEN");
    const page = await call(t.app, "GET", "/api/v1/ops/events?limit=1", { token: admin });
    expect(page.status).toBe(200);
    expect(page.body.items.length).toBeLessThanOrEqual(1);
  });
});
