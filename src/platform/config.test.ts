import { describe, expect, it } from "vitest";
import { loadConfig, natsPrefix } from "./config.js";
import { natsStreamName, natsSubject } from "./events/nats-bus.js";

const env = { AUTH_JWT_SECRET: "secret" };

describe("NATS_PREFIX", () => {
  it("is one subject token in front of the wire type, and names the streams in capitals", () => {
    const prefix = loadConfig({ ...env, NATS_PREFIX: "acme" }).natsPrefix;
    expect(natsSubject(prefix, "billing.payment.succeeded.v1")).toBe("acme.billing.payment.succeeded.v1");
    expect(natsStreamName(prefix, "operational")).toBe("ACME_GHASI_OPERATIONAL");
  });

  it("unset or empty: subjects are the wire types and streams GHASI_*", () => {
    for (const value of [undefined, ""]) {
      const prefix = loadConfig({ ...env, ...(value === undefined ? {} : { NATS_PREFIX: value }) }).natsPrefix;
      expect(natsSubject(prefix, "billing.payment.succeeded.v1")).toBe("billing.payment.succeeded.v1");
      expect(natsStreamName(prefix, "financial")).toBe("GHASI_FINANCIAL");
    }
  });

  it("accepts the old form with a trailing dot and drops the dot: the subjects stay the same", () => {
    expect(natsPrefix("acme.")).toBe("acme");
    expect(natsPrefix("t-1_x")).toBe("t-1_x");
  });

  it.each(["a.b", "acme..", ".", "*", "acme.>", "ac me", "acme\n", "ümlaut"])("refuses %j, which is not one token", (value) => {
    expect(() => loadConfig({ ...env, NATS_PREFIX: value })).toThrow(/NATS_PREFIX/);
  });
});
