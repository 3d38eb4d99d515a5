import Stripe from "stripe";
import type { HttpServer } from "../../../platform/http/server.js";
import type { Kernel } from "../../../platform/kernel.js";
import { refuse } from "../errors.js";
import { handleStripeEvent, WEBHOOK_OUTCOMES } from "./handle-stripe-event.js";
import { Type } from "@sinclair/typebox";
import { problemResponses } from "../../../platform/http/openapi.js";

/**
 * POST /api/v1/billing/webhooks/stripe. The signature is checked over the exact bytes Stripe sent, so
 * this route gets a raw-body parser of its own, inside an encapsulated plugin: every other route
 * keeps the JSON parser. Nothing is read or written before the signature is verified.
 */
export async function stripeWebhookRoutes(server: HttpServer, kernel: Kernel, secret: string | undefined): Promise<void> {
  await server.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser("*", { parseAs: "buffer" }, (_request, body, done) => done(null, body));

    scope.post(
      "/api/v1/billing/webhooks/stripe",
      {
        schema: {
          tags: ["billing"],
          operationId: "receiveStripeWebhook",
          summary: "Stripe webhooks: signature verified, deduplicated by Stripe event id",
          description:
            "For Stripe only: the body is checked against the Stripe-Signature header (400 BILLING.WEBHOOK_SIGNATURE_INVALID) before anything is read; 503 BILLING.WEBHOOK_NOT_CONFIGURED without STRIPE_WEBHOOK_SECRET, so Stripe retries.",
          response: {
            200: Type.Object(
              {
                received: Type.Literal(true),
                eventId: Type.String(),
                outcome: Type.Union(
                  WEBHOOK_OUTCOMES.map((outcome) => Type.Literal(outcome)),
                  {
                    description: "what the event did: applied, duplicate (seen before), ignored, unknown_intent, state_conflict",
                  },
                ),
              },
              { additionalProperties: false },
            ),
            ...problemResponses(503),
          },
        },
      },
      async (request, reply) => {
        if (!secret) throw refuse({ code: "BILLING.WEBHOOK_NOT_CONFIGURED", detail: "STRIPE_WEBHOOK_SECRET is not set" });
        const signature = request.headers["stripe-signature"];
        const raw = request.body;
        let event: Stripe.Event;
        try {
          if (typeof signature !== "string" || !Buffer.isBuffer(raw)) throw new Error("missing signature or body");
          // receivedAt from the injected clock: the tolerance window is checked against our time port.
          event = Stripe.webhooks.constructEvent(raw, signature, secret, undefined, undefined, kernel.clock.now().getTime());
        } catch {
          throw refuse({
            code: "BILLING.WEBHOOK_SIGNATURE_INVALID",
            detail: "the Stripe-Signature header does not match the body",
            field: "headers/stripe-signature",
          });
        }
        const outcome = await handleStripeEvent(kernel, event);
        return reply.status(200).send({ received: true, eventId: event.id, outcome });
      },
    );
  });
}
