import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Type } from "@sinclair/typebox";
import type { ContextModule } from "../../src/platform/module.js";
import { call, startTestApp, type TestApp } from "../support/test-app.js";

/** Routes (hidden from the document) that break their stated responses on purpose: the check must catch them. */
const liarModule: ContextModule = {
  name: "liar",
  events: [],
  errors: {},
  install({ server }) {
    server.get(
      "/test/liar/status",
      { schema: { hide: true, response: { 200: Type.Object({ ok: Type.Boolean() }) } } },
      // A status the route does not state (the type provider would refuse it: hence the cast).
      async (_request, reply) => reply.code(202 as 200).send({ ok: true }),
    );
    server.get(
      "/test/liar/body",
      { schema: { hide: true, response: { 200: Type.Object({ count: Type.Integer({ minimum: 0 }) }) } } },
      async () => ({ count: -1 }),
    );
  },
};

type Operation = {
  operationId?: string;
  description?: string;
  security?: unknown[];
  parameters?: Array<{ in: string; name: string; required?: boolean; schema?: { default?: unknown } }>;
  responses: Record<string, { content?: Record<string, { schema?: { $ref?: string } }> }>;
};

let t: TestApp;
let operations: Array<{ method: string; path: string; op: Operation }>;
let document: any;
beforeAll(async () => {
  t = await startTestApp({ workers: false, env: { TEST_CLOCK: "on" }, modules: [liarModule] });
  document = (await call(t.app, "GET", "/openapi.json")).body;
  operations = Object.entries(document.paths as Record<string, Record<string, Operation>>).flatMap(([path, item]) =>
    Object.entries(item).map(([method, op]) => ({ method: method.toUpperCase(), path, op })),
  );
});
afterAll(() => t?.stop());

const where = (o: { method: string; path: string }) => `${o.method} ${o.path}`;

describe("the OpenAPI document", () => {
  it("names every operation once, in camelCase, and describes it", () => {
    const missing = operations.filter((o) => !o.op.operationId || !o.op.description).map(where);
    expect(missing).toEqual([]);
    const ids = operations.map((o) => o.op.operationId);
    expect(ids.filter((id, i) => ids.indexOf(id) !== i)).toEqual([]);
    expect(ids.filter((id) => !/^[a-z][a-zA-Z0-9]*$/.test(id ?? ""))).toEqual([]);
  });

  it("documents a success answer for every operation, and every error as a Problem", () => {
    const noSuccess = operations.filter((o) => !Object.keys(o.op.responses).some((status) => /^2/.test(status))).map(where);
    expect(noSuccess).toEqual([]);
    const notProblems = operations.flatMap((o) =>
      Object.entries(o.op.responses)
        .filter(([status]) => /^[45]/.test(status) && !(o.path === "/ready" && status === "503"))
        .filter(([, response]) => response.content?.["application/problem+json"]?.schema?.$ref !== "#/components/schemas/Problem")
        .map(([status]) => `${where(o)} ${status}`),
    );
    expect(notProblems).toEqual([]);
    expect(document.components.schemas.Problem).toMatchObject({ type: "object", required: ["type", "title", "status", "code"] });
  });

  it("marks public routes security: [] and token routes bearer, with 401 and 403 only on the latter", () => {
    for (const o of operations) {
      expect(Array.isArray(o.op.security), where(o)).toBe(true);
      const secured = o.op.security!.some((requirement) => Object.keys(requirement as object).length > 0);
      if (o.path !== "/metrics") expect(Boolean(o.op.responses["401"]), where(o)).toBe(secured);
    }
    const byId = (id: string) => operations.find((o) => o.op.operationId === id)!;
    expect(byId("getCourse").op.security).toEqual([]);
    expect(byId("getHealth").op.security).toEqual([]);
    expect(byId("createTenant").op.security).toEqual([{ bearer: [] }]);
  });

  it("lets a caller leave out every parameter that has a default (list limits)", () => {
    const requiredWithDefault = operations.flatMap((o) =>
      (o.op.parameters ?? []).filter((p) => p.required && p.schema?.default !== undefined).map((p) => `${where(o)} ${p.name}`),
    );
    expect(requiredWithDefault).toEqual([]);
    const members = byPath("get", "/api/v1/tenants/{tenantId}/members");
    expect(members.parameters!.find((p) => p.name === "limit")).toMatchObject({ required: false, schema: { default: 50 } });
  });

  it("answers 201 and 202 where the routes do", () => {
    expect(Object.keys(byPath("post", "/api/v1/tenants").responses)).toContain("201");
    expect(Object.keys(byPath("post", "/api/v1/events/ingest").responses)).toContain("202");
    expect(Object.keys(byPath("post", "/api/v1/events/ingest").responses)).not.toContain("200");
  });
});

const byPath = (method: string, path: string): Operation => document.paths[path][method];

describe("the response check (HTTP_VALIDATE_RESPONSES=on in tests)", () => {
  it("turns an undocumented status into a 500 RESPONSE.CONTRACT_BROKEN", async () => {
    const response = await call(t.app, "GET", "/test/liar/status");
    expect(response.status).toBe(500);
    expect(response.body).toMatchObject({ code: "RESPONSE.CONTRACT_BROKEN", sentStatus: 202 });
  });

  it("turns a body that does not match its schema into a 500 RESPONSE.CONTRACT_BROKEN naming where", async () => {
    const response = await call(t.app, "GET", "/test/liar/body");
    expect(response.status).toBe(500);
    expect(response.body).toMatchObject({ code: "RESPONSE.CONTRACT_BROKEN", sentStatus: 200, errors: [{ path: "response/count" }] });
  });

  it("checks problems too: an unknown path, a bad token and an invalid body answer documented Problems", async () => {
    expect((await call(t.app, "GET", "/api/v1/nowhere")).body).toMatchObject({ status: 404, code: "ROUTE.NOT_FOUND" });
    expect((await call(t.app, "GET", "/api/v1/tenants/ten_x", { token: "nope" })).body).toMatchObject({ status: 401 });
    const admin = await t.token({ sub: "usr_a", tid: "ten_platform", roles: ["platform_admin"] });
    const invalid = await call(t.app, "POST", "/api/v1/tenants", { token: admin, body: { name: "" } });
    expect(invalid.body).toMatchObject({ status: 400, code: "REQUEST.VALIDATION_FAILED" });
  });
});
