import { describe, expect, it } from "vitest";
import { checkUrl, decideEndpoint, matches } from "./endpoint.domain.js";

const rules = {
  producedTypes: ["marketplace.order.placed.v1", "marketplace.order.fulfilled.v1", "billing.payment.succeeded.v1"],
  allowPrivate: false,
};
const codeOf = (result: { ok: boolean; rejection?: { code: string } }) => (result.ok ? null : result.rejection!.code);
const SECRET_32 = `whsec_${Buffer.alloc(32, 7).toString("base64")}`;

describe("which events an endpoint receives", () => {
  it("takes a wire type exactly, or every type under a prefix that ends with a dot", () => {
    expect(matches("marketplace.order.placed.v1", ["marketplace.order."])).toBe(true);
    expect(matches("marketplace.order.placed.v1", ["marketplace.order.placed.v1"])).toBe(true);
    expect(matches("marketplace.order.placed.v1", ["marketplace.order"])).toBe(false);
    expect(matches("marketplace.orders.x.v1", ["marketplace.order."])).toBe(false);
    expect(matches("billing.payment.succeeded.v1", ["marketplace."])).toBe(false);
  });

  it("refuses a filter that names no wire type this system produces", () => {
    expect(codeOf(decideEndpoint({ url: "https://example.com/h", events: ["marketplace.nothing."] }, rules))).toBe("WEBHOOK.EVENT_UNKNOWN");
    expect(codeOf(decideEndpoint({ url: "https://example.com/h", events: ["marketplace.order.placed"] }, rules))).toBe(
      "WEBHOOK.EVENT_UNKNOWN",
    );
    expect(decideEndpoint({ url: "https://example.com/h", events: ["marketplace.", "marketplace."] }, rules)).toMatchObject({
      ok: true,
      value: { events: ["marketplace."] },
    });
  });
});

describe("where an endpoint may point", () => {
  it("accepts public http(s) URLs only, without credentials or a fragment", () => {
    expect(checkUrl("https://hooks.example.com/in", false).ok).toBe(true);
    expect(checkUrl("http://hooks.example.com/in", false).ok).toBe(true);
    for (const url of ["ftp://example.com/", "file:///etc/passwd", "not a url", "https://u:p@example.com/", "https://example.com/#x"])
      expect(codeOf(checkUrl(url, false)), url).toBe("WEBHOOK.URL_INVALID");
  });

  it("refuses loopback, private, link-local and mapped addresses unless the operator allows them", () => {
    for (const url of [
      "http://127.0.0.1:8080/",
      "http://localhost/",
      "http://api.localhost/",
      "http://10.1.2.3/",
      "http://172.16.0.1/",
      "http://192.168.1.1/",
      "http://169.254.169.254/latest/meta-data",
      "http://100.64.0.1/",
      "http://0.0.0.0/",
      "http://[::1]/",
      "http://[fd00::1]/",
      "http://[fe80::1]/",
      "http://[::ffff:127.0.0.1]/",
      "http://2130706433/", // 127.0.0.1 written as one number: URL normalises it
    ])
      expect(codeOf(checkUrl(url, false)), url).toBe("WEBHOOK.URL_NOT_ALLOWED");
    expect(checkUrl("http://127.0.0.1:8080/", true).ok).toBe(true);
  });
});

describe("the signing secret", () => {
  it("is whsec_ and the base64 of 24 to 64 bytes when the caller gives one", () => {
    expect(decideEndpoint({ url: "https://example.com/h", events: ["marketplace."], secret: SECRET_32 }, rules).ok).toBe(true);
    for (const secret of [
      "whsec_short",
      "secret",
      `whsec_${Buffer.alloc(16).toString("base64")}`,
      `whsec_${Buffer.alloc(65).toString("base64")}`,
    ])
      expect(codeOf(decideEndpoint({ url: "https://example.com/h", events: ["marketplace."], secret }, rules)), secret).toBe(
        "WEBHOOK.SECRET_INVALID",
      );
  });
});
