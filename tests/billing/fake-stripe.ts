import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import Stripe from "stripe";
import { afterAll, beforeAll } from "vitest";
import { call, type TestApp } from "../support/test-app.js";

/**
 * A local stand-in for api.stripe.com (nothing in tests may reach the internet): just enough of
 * PaymentIntents and Refunds for the adapter, answering per PaymentMethod id like Stripe's test cards.
 */
export interface FakeStripe {
  url: string;
  requests: Array<{ method: string; path: string; body: URLSearchParams; idempotencyKey: string | undefined }>;
  /** Objects actually created (a replayed idempotent request creates none). */
  created: { paymentIntents: number; refunds: number };
  close(): Promise<void>;
}

export async function startFakeStripe(): Promise<FakeStripe> {
  const requests: FakeStripe["requests"] = [];
  const intents = new Map<string, { id: string; amount: number; currency: string; metadata: Record<string, string> }>();
  const created = { paymentIntents: 0, refunds: 0 };
  // As Stripe: a repeated Idempotency-Key replays the first response; with other parameters it is refused.
  const replays = new Map<string, { raw: string; status: number; json: unknown }>();
  let seq = 0;
  const server: Server = createServer((req, res) => {
    let raw = "";
    req.on("data", (chunk) => (raw += chunk));
    req.on("end", () => {
      const body = new URLSearchParams(raw);
      const path = (req.url ?? "").split("?")[0]!;
      requests.push({ method: req.method ?? "", path, body, idempotencyKey: req.headers["idempotency-key"] as string | undefined });
      const key = req.headers["idempotency-key"] as string | undefined;
      const reply = (status: number, json: unknown) => {
        res.writeHead(status, { "content-type": "application/json", "request-id": `req_${seq++}` });
        res.end(JSON.stringify(json));
      };
      const first = key === undefined ? undefined : replays.get(`${path} ${key}`);
      if (first) {
        if (first.raw !== raw)
          return reply(400, {
            error: {
              type: "idempotency_error",
              message: "Keys for idempotent requests can only be used with the same parameters they were first used with.",
            },
          });
        return reply(first.status, first.json);
      }
      const send = (status: number, json: unknown) => {
        if (key !== undefined) replays.set(`${path} ${key}`, { raw, status, json });
        reply(status, json);
      };
      if (req.method === "POST" && path === "/v1/payment_intents") {
        if (Number(body.get("amount")) < 50) {
          return send(400, {
            error: { type: "invalid_request_error", code: "amount_too_small", message: "Amount must be at least $0.50 usd" },
          });
        }
        const id = `pi_fake_${++seq}`;
        created.paymentIntents++;
        const intent = {
          id,
          amount: Number(body.get("amount")),
          currency: body.get("currency")!,
          metadata: { paymentId: body.get("metadata[paymentId]")!, orderId: body.get("metadata[orderId]")! },
        };
        intents.set(id, intent);
        return send(200, { ...intent, object: "payment_intent", status: "requires_payment_method", last_payment_error: null });
      }
      const confirm = path.match(/^\/v1\/payment_intents\/([^/]+)\/confirm$/);
      if (req.method === "POST" && confirm) {
        const intent = intents.get(confirm[1]!);
        if (!intent)
          return send(404, { error: { type: "invalid_request_error", code: "resource_missing", message: "No such payment_intent" } });
        const method = body.get("payment_method");
        if (method === "pm_card_chargeDeclined") {
          return send(402, {
            error: { type: "card_error", code: "card_declined", decline_code: "generic_decline", message: "Your card was declined." },
          });
        }
        const status = method === "pm_card_visa" ? "succeeded" : "processing";
        return send(200, { ...intent, object: "payment_intent", status, last_payment_error: null });
      }
      if (req.method === "POST" && path === "/v1/refunds") {
        created.refunds++;
        return send(200, {
          id: `re_fake_${++seq}`,
          object: "refund",
          status: "pending",
          amount: Number(body.get("amount")),
          payment_intent: body.get("payment_intent"),
        });
      }
      send(404, { error: { type: "invalid_request_error", message: `fake stripe has no ${req.method} ${path}` } });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, requests, created, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

/**
 * Starts the fake for the calling test file and points billing at it (billing reads its settings
 * from the environment; each vitest file runs in its own process). Read `.current` inside tests.
 */
export function useFakeStripe(webhookSecret: string): { current: FakeStripe } {
  const handle = {} as { current: FakeStripe };
  beforeAll(async () => {
    handle.current = await startFakeStripe();
    process.env.STRIPE_SECRET_KEY = "sk_test_offline";
    process.env.STRIPE_API_BASE = handle.current.url;
    process.env.STRIPE_WEBHOOK_SECRET = webhookSecret;
  });
  afterAll(() => handle.current.close());
  return handle;
}

/** A Stripe event delivery to the webhook route, signed as Stripe signs it, over a body not in JSON.stringify's default layout. */
export function stripeDelivery(t: TestApp, event: { id: string; type: string; object: Record<string, unknown> }, secret: string) {
  const rawBody = JSON.stringify(
    { id: event.id, object: "event", type: event.type, api_version: "2025-02-24.acacia", data: { object: event.object } },
    null,
    2,
  );
  const signature = Stripe.webhooks.generateTestHeaderString({
    payload: rawBody,
    secret,
    timestamp: Math.floor(t.clock.now().getTime() / 1000),
  });
  return call(t.app, "POST", "/api/v1/billing/webhooks/stripe", { rawBody, headers: { "stripe-signature": signature } });
}
