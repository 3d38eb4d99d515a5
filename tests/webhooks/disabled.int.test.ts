import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, startTestApp, type TestApp } from "../support/test-app.js";

describe("with WEBHOOKS_ENABLED=false (a deployment's default)", () => {
  let t: TestApp;
  beforeAll(async () => {
    process.env.WEBHOOKS_ENABLED = "false";
    try {
      t = await startTestApp();
    } finally {
      process.env.WEBHOOKS_ENABLED = "true";
    }
  });
  afterAll(() => t.stop());

  it("refuses to register an endpoint (409 WEBHOOK.NOT_ENABLED) and writes nothing", async () => {
    const token = await t.token({ sub: "usr_a", tid: "ten_a", roles: ["org_admin"] });
    const answer = await call(t.app, "POST", "/api/v1/webhooks", {
      token,
      body: { url: "https://hooks.example.com/ghasi", events: ["marketplace."] },
    });
    expect([answer.status, answer.body.code]).toEqual([409, "WEBHOOK.NOT_ENABLED"]);
    const listed = await call(t.app, "GET", "/api/v1/webhooks", { token });
    expect(listed.status).toBe(200);
    expect(listed.body.items).toEqual([]);
  });
});
