import { Type } from "@sinclair/typebox";
import { SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/platform/config.js";
import { MAX_MINOR_UNITS } from "../../src/platform/http/schemas.js";
import type { ContextModule } from "../../src/platform/module.js";
import { call, startTestApp, TEST_SECRET, type TestApp } from "../support/test-app.js";

/**
 * #18 item 7, limits: amounts are bounded, a database refusal that input caused is a 4xx problem
 * (never a 500), and tokens must expire, carry a tenant id and hold storable ids.
 */

/** A route that makes the database raise a given SQLSTATE, inside a transaction like any command's. */
const sqlstateModule: ContextModule = {
  name: "sqlstate-probe",
  events: [],
  errors: {},
  install({ server, kernel }) {
    server.post(
      "/test/sqlstate/:state",
      {
        schema: {
          params: Type.Object({ state: Type.String({ pattern: "^[0-9A-Z]{5}$" }) }),
          response: { 200: Type.Object({ ok: Type.Boolean() }) },
        },
      },
      async (request) => {
        await kernel.db.tx((tx) => tx.query(`DO $$ BEGIN RAISE EXCEPTION 'probe' USING ERRCODE = '${request.params.state}'; END $$`), {
          tenantId: "ten_1",
        });
        return { ok: true };
      },
    );
  },
};

let t: TestApp;
let admin: string;
beforeAll(async () => {
  t = await startTestApp({ workers: false, modules: [sqlstateModule] });
  admin = await t.token({ sub: "usr_admin", tid: "ten_1", roles: ["platform_admin"] });
});
afterAll(() => t?.stop());

const sign = (claims: Record<string, unknown>, build: (jwt: SignJWT) => SignJWT = (jwt) => jwt.setExpirationTime("1h")) =>
  build(
    new SignJWT({ roles: ["platform_admin"], ...claims })
      .setProtectedHeader({ alg: "HS256" })
      .setSubject(String(claims.sub ?? "usr_x"))
      .setIssuedAt(),
  ).sign(new TextEncoder().encode(TEST_SECRET));
const count = async (table: string) =>
  Number((await t.app.kernel.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`)).rows[0]!.n);

describe("database refusals", () => {
  it("maps constraint and data errors to 4xx problems with stable codes, and keeps a bug (undefined table) a 500", async () => {
    const expected: Array<[string, number, string]> = [
      ["23514", 422, "REQUEST.CONSTRAINT_VIOLATED"],
      ["23505", 409, "REQUEST.CONFLICT"],
      ["23503", 422, "REQUEST.REFERENCE_INVALID"],
      ["22003", 400, "REQUEST.OUT_OF_RANGE"],
      ["22P02", 400, "REQUEST.INVALID"],
      ["22021", 400, "REQUEST.INVALID_TEXT"],
      ["22P05", 400, "REQUEST.INVALID_TEXT"],
      ["22012", 400, "REQUEST.INVALID"],
      ["42P01", 500, "INTERNAL"],
    ];
    for (const [state, status, code] of expected) {
      const response = await call(t.app, "POST", `/test/sqlstate/${state}`, { body: {} });
      expect(response.status, state).toBe(status);
      expect(String(response.headers["content-type"])).toContain("application/problem+json");
      expect(response.body.code, state).toBe(code);
    }
  });
});

describe("amounts", () => {
  it("refuses a wallet credit past 10^12 minor units (2^53-1 was accepted) and writes nothing; 10^12 itself is credited", async () => {
    const credit = (amount: number, key: string) =>
      call(t.app, "POST", "/api/v1/wallets/usr_w/credits", {
        token: admin,
        body: { bucket: "general", amount, currency: "USD" },
        headers: { "idempotency-key": key },
      });
    const outbox = await count("platform.outbox");
    for (const amount of [Number.MAX_SAFE_INTEGER, MAX_MINOR_UNITS + 1, 1e21]) {
      const refused = await credit(amount, `k-${amount}`);
      expect(refused.status).toBe(400);
      expect(refused.body.code).toBe("REQUEST.VALIDATION_FAILED");
      expect(refused.body.errors.map((e: { path: string }) => e.path)).toContain("body/amount");
    }
    expect(await count("platform.outbox")).toBe(outbox);
    expect(await count("billing.wallet_balances")).toBe(0);
    const accepted = await credit(MAX_MINOR_UNITS, "k-max");
    expect(accepted.status, JSON.stringify(accepted.body)).toBe(201);
    expect(accepted.body.balanceAfter).toBe(MAX_MINOR_UNITS);
  });

  it("bounds the amounts of plans, coupons, purchase policies and payments in the served schemas", async () => {
    const { paths } = (await call(t.app, "GET", "/openapi.json")).body;
    const body = (path: string, method: string) => paths[path][method].requestBody.content["application/json"].schema;
    expect(body("/api/v1/wallets/{userId}/credits", "post").properties.amount.maximum).toBe(MAX_MINOR_UNITS);
    expect(body("/api/v1/payments/process", "post").properties.amount.maximum).toBe(MAX_MINOR_UNITS);
    expect(body("/api/v1/coupons", "post").properties.amountOff.maximum).toBe(MAX_MINOR_UNITS);
    expect(body("/api/v1/coupons", "post").properties.minOrderAmount.maximum).toBe(MAX_MINOR_UNITS);
    expect(body("/api/v1/listings/{id}/plans", "post").properties.amount.maximum).toBe(MAX_MINOR_UNITS);
    const cap = body("/api/v1/tenants/{tenantId}/purchase-policy", "put").properties.cap;
    expect(JSON.stringify(cap)).toContain(`"amount":{"minimum":0,"maximum":${MAX_MINOR_UNITS}`);
  });
});

describe("tokens", () => {
  it("refuses a token without exp, with a tid that is not a tenant id (the system scope '*'), or with an unstorable sub", async () => {
    const tokens = [
      await sign({ sub: "usr_1", tid: "ten_1" }, (jwt) => jwt),
      await sign({ sub: "usr_1", tid: "*" }),
      await sign({ sub: "usr_1", tid: "%" }),
      await sign({ sub: "usr_1", tid: "" }),
      await sign({ sub: "usr\u0000", tid: "ten_1" }),
      await sign({ sub: "usr_1", tid: "ten_1", pid: "\ud800" }),
    ];
    for (const token of tokens) {
      const response = await call(t.app, "GET", "/api/v1/ops/sagas", { token });
      expect(response.status).toBe(401);
      expect(response.body.code).toBe("AUTH.TOKEN_INVALID");
    }
    expect((await call(t.app, "GET", "/api/v1/ops/sagas", { token: await sign({ sub: "usr_1", tid: "ten_1" }) })).status).toBe(200);
  });

  it("refuses to start in JWKS mode without an issuer and an audience, and pins JWKS algorithms to asymmetric ones", () => {
    expect(() => loadConfig({ AUTH_JWKS_URL: "https://idp.example/jwks" })).toThrow(/AUTH_ISSUER and AUTH_AUDIENCE/);
    expect(() => loadConfig({ AUTH_JWKS_URL: "https://idp.example/jwks", AUTH_ISSUER: "https://idp.example" })).toThrow(/AUTH_AUDIENCE/);
    expect(() =>
      loadConfig({ AUTH_JWKS_URL: "https://idp.example/jwks", AUTH_ISSUER: "i", AUTH_AUDIENCE: "a", AUTH_ALGORITHMS: "HS256" }),
    ).toThrow(/AUTH_ALGORITHMS/);
    const config = loadConfig({ AUTH_JWKS_URL: "https://idp.example/jwks", AUTH_ISSUER: "i", AUTH_AUDIENCE: "a" });
    expect(config.auth.algorithms).toEqual(["RS256", "ES256", "EdDSA"]);
  });
});
