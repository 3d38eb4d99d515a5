import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";

/**
 * The connect-time address check (SSRF, DNS rebinding): a name that passes registration (not an IP
 * literal, not localhost) but resolves to loopback when the socket connects. DNS is replaced for one
 * made-up name so the test does not depend on the machine's resolver; every other name resolves as usual.
 */
vi.mock("node:dns", async (original) => {
  const dns = await original<typeof import("node:dns")>();
  const lookup = (hostname: string, options: unknown, callback: (...args: unknown[]) => void) => {
    if (hostname !== "rebound.example") return (dns.lookup as (...args: unknown[]) => void)(hostname, options, callback);
    const all = typeof options === "object" && options !== null && (options as { all?: boolean }).all;
    return all ? callback(null, [{ address: "127.0.0.1", family: 4 }]) : callback(null, "127.0.0.1", 4);
  };
  return { ...dns, default: { ...dns, lookup }, lookup };
});

const { ADDRESS_NOT_ALLOWED, sendWebhook } = await import("./send-webhook.js");

let server: Server;
let hits = 0;
beforeAll(async () => {
  server = createServer((_request, response) => {
    hits++;
    response.writeHead(204).end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const signed = (url: string) => ({
  url,
  secret: `whsec_${Buffer.alloc(32, 1).toString("base64")}`,
  msgId: "msg_test",
  body: "{}",
  sentAt: new Date(),
});

describe("sendWebhook's address check", () => {
  it("refuses, where the socket connects, a name that resolves to loopback: a generic error for the tenant, the address only in the detail", async () => {
    const url = `http://rebound.example:${(server.address() as AddressInfo).port}/hooks`;
    const attempt = await sendWebhook(signed(url), { timeoutMs: 2_000, allowPrivate: false });
    expect(attempt).toEqual({ kind: "failed", error: ADDRESS_NOT_ALLOWED, detail: expect.stringContaining("127.0.0.1") });
    expect(attempt.kind === "failed" && attempt.error).not.toContain("127.0.0.1");
    expect(hits).toBe(0);
    // The same name with private addresses allowed reaches the receiver: the check, not the name, refused it.
    expect(await sendWebhook(signed(url), { timeoutMs: 2_000, allowPrivate: true })).toMatchObject({ kind: "answered", status: 204 });
    expect(hits).toBe(1);
  });

  it("refuses an IP literal of a private network with the same generic error", async () => {
    const attempt = await sendWebhook(signed("http://10.1.2.3/hooks"), { timeoutMs: 2_000, allowPrivate: false });
    expect(attempt).toEqual({ kind: "failed", error: ADDRESS_NOT_ALLOWED, detail: expect.stringContaining("10.1.2.3") });
  });
});
