import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deepBody, encodeLoose, fromSchema, hostile, hostileString } from "../support/fuzz-inputs.js";
import { call, startTestApp, type TestApp } from "../support/test-app.js";

/**
 * Every route the served OpenAPI document lists, driven with hostile input (#18 items 6-7, DESIGN.md
 * §2.10 and §8 "Text from outside"): no answer is a 5xx, every error is a problem with a code, and a
 * refused request writes nothing. Bounded: a fixed seed (FUZZ_SEED replays another) and a few runs
 * per route and caller.
 */
const SEED = Number(process.env.FUZZ_SEED ?? 18_067);
const RUNS_PER_ROUTE = Number(process.env.FUZZ_RUNS ?? 6);

interface Operation {
  method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  path: string;
  params: string[];
  query: Array<{ name: string; schema: Record<string, any> }>;
  body?: Record<string, any>;
  /** Verifies a signature over the raw bytes: its body is never parsed, so never text-checked. */
  rawBody: boolean;
}

interface Sent {
  method: Operation["method"];
  url: string;
  token?: string;
  body?: unknown;
  rawBody?: string;
  headers?: Record<string, string>;
}

let t: TestApp;
let operations: Operation[];
const tokens: Array<string | undefined> = [];

const count = async (table: string) =>
  Number((await t.app.kernel.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`)).rows[0]!.n);
/** What a refused request must not have added to (workers are off: nothing else writes meanwhile). */
const written = async () => ({ outbox: await count("platform.outbox"), idempotency: await count("platform.idempotency_keys") });

const webhookSecret = process.env.STRIPE_WEBHOOK_SECRET;
beforeAll(async () => {
  // Configured, so the Stripe webhook checks signatures (unconfigured, it answers 503 by design).
  process.env.STRIPE_WEBHOOK_SECRET = "whsec_fuzz";
  t = await startTestApp({ workers: false });
  const admin = await t.token({ sub: "usr_fuzz_admin", tid: "ten_fuzz", roles: ["platform_admin"] });
  tokens.push(
    admin,
    await t.token({ sub: "usr_fuzz_org", tid: "ten_fuzz", roles: ["org_admin"] }),
    await t.token({ sub: "usr_fuzz", tid: "ten_fuzz", roles: ["learner"] }),
    await t.token({ sub: "usr_fuzz_prov", tid: "ten_fuzz", roles: ["provider"], pid: "prv_fuzz" }),
    await t.token({ sub: "svc_fuzz", tid: "ten_fuzz", roles: ["service"] }),
    undefined,
  );
  // A tenant, a member and a provider the plausible ids point at, so some requests get past lookups.
  expect(
    (await call(t.app, "POST", "/api/v1/tenants", { token: admin, body: { tenantId: "ten_fuzz", name: "Fuzz", kind: "enterprise" } }))
      .status,
  ).toBe(201);
  expect((await call(t.app, "POST", "/api/v1/tenants/ten_fuzz/members", { token: admin, body: { userId: "usr_fuzz" } })).status).toBe(201);
  expect(
    (await call(t.app, "POST", "/api/v1/providers", { token: admin, body: { providerId: "prv_fuzz", tenantId: "ten_fuzz", name: "Fuzz" } }))
      .status,
  ).toBe(201);

  const { paths } = (await call(t.app, "GET", "/openapi.json")).body as { paths: Record<string, Record<string, any>> };
  operations = Object.entries(paths).flatMap(([path, methods]) =>
    Object.entries(methods)
      .filter(([method]) => ["get", "post", "put", "patch", "delete"].includes(method))
      .map(([method, op]) => {
        const parameters = (op.parameters ?? []) as Array<{ in: string; name: string; schema: Record<string, any> }>;
        return {
          method: method.toUpperCase() as Operation["method"],
          path,
          params: parameters.filter((p) => p.in === "path").map((p) => p.name),
          query: parameters.filter((p) => p.in === "query").map((p) => ({ name: p.name, schema: p.schema })),
          body: op.requestBody?.content?.["application/json"]?.schema,
          rawBody: path.includes("/webhooks/"),
        };
      }),
  );
}, 60_000);
afterAll(async () => {
  await t?.stop();
  if (webhookSecret === undefined) delete process.env.STRIPE_WEBHOOK_SECRET;
  else process.env.STRIPE_WEBHOOK_SECRET = webhookSecret;
});

const urlOf = (op: Operation, params: Record<string, string>, query: Record<string, string> = {}) => {
  const path = op.path.replace(/\{(\w+)\}/g, (_, name: string) => encodeLoose(params[name] ?? "x"));
  const search = Object.entries(query).map(([k, v]) => `${encodeURIComponent(k)}=${encodeLoose(v)}`);
  return search.length > 0 ? `${path}?${search.join("&")}` : path;
};
const asQueryText = (value: unknown) => (typeof value === "string" ? value : (JSON.stringify(value) ?? ""));
const describeSent = (sent: Sent) =>
  JSON.stringify({ ...sent, token: sent.token ? tokens.indexOf(sent.token) : "none", rawBody: sent.rawBody?.slice(0, 80) }).slice(0, 400);

/** The invariants every answer keeps; returns what broke, if anything. */
function brokenBy(response: { status: number; body: any; headers: Record<string, unknown> }): string | null {
  if (response.status >= 500) return `answered ${response.status}: ${JSON.stringify(response.body).slice(0, 200)}`;
  if (response.status >= 400) {
    if (!String(response.headers["content-type"]).startsWith("application/problem+json"))
      return `error ${response.status} as ${String(response.headers["content-type"])}`;
    if (typeof response.body?.code !== "string") return `error ${response.status} without a code`;
  }
  return null;
}

describe("hostile input on every route", () => {
  it("finds the routes to drive in the served OpenAPI document", () => {
    expect(operations.length).toBeGreaterThan(40);
    expect(operations.some((op) => op.params.length > 0 && op.method === "GET")).toBe(true);
  });

  it("refuses NUL and lone surrogates in any path parameter, query parameter or body field with 400 REQUEST.INVALID_TEXT, before auth, writing nothing", async () => {
    const before = await written();
    const failures: string[] = [];
    for (const op of operations) {
      const plain = Object.fromEntries(op.params.map((name) => [name, "x"]));
      const cases: Array<{ sent: Omit<Sent, "token">; path: string }> = [];
      // A URL cannot carry a lone surrogate (it is not UTF-8): NUL is what reaches a parameter from a URL.
      for (const name of op.params)
        cases.push({ sent: { method: op.method, url: urlOf(op, { ...plain, [name]: "a\u0000b" }) }, path: `params/${name}` });
      for (const q of [...op.query.map((q) => q.name), "unlisted"])
        cases.push({ sent: { method: op.method, url: urlOf(op, plain, { [q]: "\u0000" }) }, path: `querystring/${q}` });
      if (op.method !== "GET" && op.method !== "DELETE" && !op.rawBody) {
        const fields = Object.keys(op.body?.properties ?? { note: {} });
        for (const text of ["x\u0000", "\ud800", "\udfffz"]) {
          for (const field of fields)
            cases.push({ sent: { method: op.method, url: urlOf(op, plain), body: { [field]: text } }, path: `body/${field}` });
        }
        cases.push({
          sent: { method: op.method, url: urlOf(op, plain), body: { nested: [{ deeper: { "key\u0000": 1 } }] } },
          path: "body/nested/0/deeper/key\\u0000",
        });
      }
      for (const token of [tokens[0], undefined]) {
        for (const { sent, path } of cases) {
          const response = await call(t.app, sent.method, sent.url, {
            ...sent,
            token,
            headers: { "idempotency-key": `fuzz-${failures.length}-${path}` },
          });
          const wrong =
            response.status !== 400 || response.body?.code !== "REQUEST.INVALID_TEXT"
              ? `answered ${response.status} ${response.body?.code ?? ""}`
              : !response.body.errors?.some((e: { path: string }) => e.path === path)
                ? `errors do not name ${path}: ${JSON.stringify(response.body.errors)}`
                : brokenBy(response);
          if (wrong) failures.push(`${op.method} ${op.path} ${path} ${token ? "admin" : "anonymous"}: ${wrong}`);
        }
      }
    }
    expect(failures).toEqual([]);
    expect(await written()).toEqual(before);
  }, 120_000);

  it("answers fuzzed requests from every kind of caller below 500, errors as problems with a code, and a refused request writes nothing", async () => {
    const failures: string[] = [];
    let sentCount = 0;
    for (const [index, op] of operations.entries()) {
      const request = fc.record({
        token: fc.constantFrom(...tokens),
        params: fc.record(
          Object.fromEntries(
            op.params.map((name) => [name, fc.oneof(fc.constantFrom("ten_fuzz", "usr_fuzz", "prv_fuzz", "x"), hostileString)]),
          ),
        ),
        query: fc.record(Object.fromEntries(op.query.map((q) => [q.name, fromSchema(q.schema).map(asQueryText)])), { requiredKeys: [] }),
        body: op.body ? fc.oneof({ weight: 8, arbitrary: fromSchema(op.body) }, { weight: 1, arbitrary: hostile }) : fc.constant(undefined),
        raw: fc.constantFrom(
          undefined,
          undefined,
          undefined,
          undefined,
          undefined,
          undefined,
          deepBody(20_000),
          "{",
          '{"a":1e999999}',
          '"\\ud800"',
        ),
        key: fc.constantFrom(undefined, "fuzz-key-1", "fuzz-key-2", "k".repeat(300)),
      });
      for (const r of fc.sample(request, { numRuns: RUNS_PER_ROUTE, seed: SEED + index })) {
        const mutates = op.method !== "GET";
        const sent: Sent = {
          method: op.method,
          url: urlOf(op, r.params, r.query as Record<string, string>),
          token: r.token,
          ...(mutates && op.method !== "DELETE" ? (r.raw !== undefined ? { rawBody: r.raw } : { body: r.body ?? {} }) : {}),
          ...(r.key ? { headers: { "idempotency-key": r.key } } : {}),
        };
        const before = mutates ? await written() : null;
        const response = await call(t.app, sent.method, sent.url, sent);
        sentCount++;
        const broken = brokenBy(response);
        if (broken) failures.push(`${describeSent(sent)} → ${broken}`);
        if (before && response.status >= 400) {
          const after = await written();
          if (JSON.stringify(after) !== JSON.stringify(before))
            failures.push(`${describeSent(sent)} → refused with ${response.status} but wrote ${JSON.stringify({ before, after })}`);
        }
      }
    }
    expect(sentCount).toBe(operations.length * RUNS_PER_ROUTE);
    expect(failures).toEqual([]);
  }, 120_000);
});
