import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import Stripe from "stripe";
import { afterAll, beforeAll } from "vitest";
import { call, type TestApp } from "../support/test-app.js";

/**
 * A local stand-in for api.stripe.com (nothing in tests may reach the internet): just enough of
 * PaymentIntents, Refunds, Customers and PaymentMethod attach for the adapter, answering per
 * PaymentMethod id like Stripe's test cards. As Stripe, a PaymentMethod is charged off-session only
 * once attached to the Customer named (by attach, or by a payment with setup_future_usage that
 * succeeded), and one used by a payment without a Customer can never be attached afterwards.
 * Stripe's test ids stand for a new PaymentMethod at each use; here `pm_card_visa__anything`
 * behaves as pm_card_visa but is its own PaymentMethod, so tests that attach do not share one.
 */
export interface FakeStripe {
  url: string;
  requests: Array<{ method: string; path: string; body: URLSearchParams; idempotencyKey: string | undefined }>;
  /** Objects actually created (a replayed idempotent request creates none). */
  created: { paymentIntents: number; refunds: number; customers: number };
  /** PaymentMethod id → the Customer it is attached to. */
  attached: Map<string, string>;
  close(): Promise<void>;
}

/** Which of Stripe's test cards a PaymentMethod id behaves as (see FakeStripe). */
const cardOf = (method: string | null) => method?.split("__")[0];

interface FakeIntent {
  id: string;
  amount: number;
  currency: string;
  metadata: Record<string, string>;
  customer: string | null;
  setup_future_usage: string | null;
}

export async function startFakeStripe(): Promise<FakeStripe> {
  const requests: FakeStripe["requests"] = [];
  const intents = new Map<string, FakeIntent>();
  const created = { paymentIntents: 0, refunds: 0, customers: 0 };
  const attached = new Map<string, string>();
  /** Used by a payment without a Customer: Stripe refuses to attach these. */
  const spent = new Set<string>();
  // As Stripe: a repeated Idempotency-Key replays the first response; with other parameters it is refused.
  const replays = new Map<string, { raw: string; status: number; json: unknown }>();
  let seq = 0;
  /**
   * create with confirm=true, as billing sends a charge without the buyer: off_session, the
   * Customer and a PaymentMethod attached to it. pm_card_chargeCustomerFail (attaches, then every
   * charge is declined) and pm_card_authenticationRequired (the bank wants the absent buyer) fail
   * with a 402 carrying the PaymentIntent Stripe made, as Stripe does.
   */
  const confirmAtOnce = (intent: FakeIntent, body: URLSearchParams): [number, unknown] => {
    const method = body.get("payment_method");
    if (body.get("off_session") !== "true" || !method || !intent.customer || attached.get(method) !== intent.customer)
      return [
        400,
        {
          error: {
            type: "invalid_request_error",
            message: "The provided PaymentMethod is not attached to this Customer (or off_session is missing).",
          },
        },
      ];
    created.paymentIntents++;
    intents.set(intent.id, intent);
    const object = { ...intent, object: "payment_intent", payment_method: method };
    const declined = (code: string, declineCode: string, message: string): [number, unknown] => [
      402,
      {
        error: {
          type: "card_error",
          code,
          decline_code: declineCode,
          message,
          payment_intent: {
            ...object,
            status: "requires_payment_method",
            last_payment_error: { code, decline_code: declineCode, message },
          },
        },
      },
    ];
    if (cardOf(method) === "pm_card_chargeCustomerFail") return declined("card_declined", "generic_decline", "Your card was declined.");
    if (cardOf(method) === "pm_card_authenticationRequired")
      return declined("authentication_required", "authentication_required", "Your card requires authentication.");
    const status = cardOf(method) === "pm_card_visa" ? "succeeded" : "processing";
    return [200, { ...object, status, last_payment_error: null }];
  };
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
      if (req.method === "POST" && path === "/v1/customers") {
        created.customers++;
        return send(200, { id: `cus_fake_${++seq}`, object: "customer", metadata: { buyerUserId: body.get("metadata[buyerUserId]") } });
      }
      const attach = path.match(/^\/v1\/payment_methods\/([^/]+)\/attach$/);
      if (req.method === "POST" && attach) {
        const method = attach[1]!;
        const customer = body.get("customer")!;
        if (spent.has(method) || (attached.has(method) && attached.get(method) !== customer))
          return send(400, {
            error: {
              type: "invalid_request_error",
              message:
                "This PaymentMethod was previously used without being attached to a Customer or is attached to another; it may not be used again.",
            },
          });
        attached.set(method, customer);
        return send(200, { id: method, object: "payment_method", customer });
      }
      if (req.method === "POST" && path === "/v1/payment_intents") {
        if (Number(body.get("amount")) < 50) {
          return send(400, {
            error: { type: "invalid_request_error", code: "amount_too_small", message: "Amount must be at least $0.50 usd" },
          });
        }
        const id = `pi_fake_${++seq}`;
        const intent = {
          id,
          amount: Number(body.get("amount")),
          currency: body.get("currency")!,
          metadata: { paymentId: body.get("metadata[paymentId]")!, orderId: body.get("metadata[orderId]")! },
          customer: body.get("customer"),
          setup_future_usage: body.get("setup_future_usage"),
        };
        if (body.get("confirm") === "true") return send(...confirmAtOnce(intent, body));
        created.paymentIntents++;
        intents.set(id, intent);
        return send(200, { ...intent, object: "payment_intent", status: "requires_payment_method", last_payment_error: null });
      }
      const confirm = path.match(/^\/v1\/payment_intents\/([^/]+)\/confirm$/);
      if (req.method === "POST" && confirm) {
        const intent = intents.get(confirm[1]!);
        if (!intent)
          return send(404, { error: { type: "invalid_request_error", code: "resource_missing", message: "No such payment_intent" } });
        const method = body.get("payment_method");
        if (cardOf(method) === "pm_card_chargeDeclined") {
          return send(402, {
            error: { type: "card_error", code: "card_declined", decline_code: "generic_decline", message: "Your card was declined." },
          });
        }
        const status = cardOf(method) === "pm_card_visa" ? "succeeded" : "processing";
        if (method && intent.customer && intent.setup_future_usage === "off_session" && status === "succeeded")
          attached.set(method, intent.customer);
        else if (method && !attached.has(method)) spent.add(method);
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
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    created,
    attached,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
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
