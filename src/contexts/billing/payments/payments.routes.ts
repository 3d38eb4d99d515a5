import { Type } from "@sinclair/typebox";
import type { Authenticator } from "../../../platform/http/auth.js";
import { IdempotencyKeyHeader, idempotent, keyedRequest } from "../../../platform/http/idempotency.js";
import { AmountInput, CurrencyCode, Text } from "../../../platform/http/schemas.js";
import { authorize, principalOf, type HttpServer } from "../../../platform/http/server.js";
import { requestMetadataOf } from "../../../platform/http/request-context.js";
import { refuse } from "../errors.js";
import type { BillingApi } from "../billing-api.js";
import { PaymentResponse } from "../billing-responses.js";
import { Json } from "../../../platform/http/openapi.js";

const ProcessPaymentBody = Type.Object(
  {
    orderId: Text(128),
    buyerUserId: Text(128),
    tenantId: Text(128),
    amount: AmountInput(1),
    currency: CurrencyCode,
    method: Type.Union([
      Type.Object(
        {
          method: Type.Literal("card"),
          token: Type.String({
            minLength: 1,
            maxLength: 255,
            description: "sandbox: tok_visa, tok_delayed, tok_declined, tok_timeout; Stripe: a PaymentMethod id",
          }),
        },
        { additionalProperties: false },
      ),
      Type.Object({ method: Type.Literal("wallet") }, { additionalProperties: false }),
    ]),
    correlationId: Type.Optional(Text(128)),
  },
  { additionalProperties: false },
);

const PaymentParams = Type.Object({ paymentId: Type.String({ minLength: 1 }) });

/** The billing ACL's HTTP face (API.md "Billing"): what the marketplace calls, and a read for operators. */
export function paymentRoutes(server: HttpServer, api: BillingApi, authenticator: Authenticator): void {
  server.post(
    "/api/v1/payments/process",
    {
      preValidation: authorize(authenticator, "service"),
      schema: {
        tags: ["billing"],
        operationId: "processPayment",
        summary: "Pay for an order (one payment intent per order; Idempotency-Key required)",
        description:
          "Services only (the marketplace's purchase saga calls it through its port; this route is its HTTP face). One payment intent per order: a second call for the same order answers the first intent (200). 409 BILLING.PAYMENT_ORDER_CONFLICT when the order's amount or buyer differ. A declined card or a short wallet is an intent with status failed, not an error.",
        response: {
          200: Json(PaymentResponse, "The order's existing payment intent"),
          201: Json(PaymentResponse, "A new payment intent (its status may still be pending)"),
        },
        security: [{ bearer: [] }],
        headers: IdempotencyKeyHeader,
        body: ProcessPaymentBody,
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      const body = request.body;
      const keyed = keyedRequest(request, principal);
      const stored = await idempotent(api.kernel.db, keyed, { required: true, tenantId: body.tenantId }, async (tx) => {
        const { payment, created } = await api.processPaymentIn(tx, {
          ...body,
          correlationId: body.correlationId ?? body.orderId,
          idempotencyKey: keyed.key ?? "",
          metadata: requestMetadataOf(request, principal),
        });
        return { status: created ? 201 : 200, body: payment };
      });
      return reply.status(stored.status as 200 | 201).send(stored.body);
    },
  );

  server.get(
    "/api/v1/payments/:paymentId",
    {
      preValidation: authorize(authenticator, "service", "platform_admin"),
      schema: {
        tags: ["billing"],
        operationId: "getPayment",
        summary: "A payment intent with its refunds",
        description: "Services and platform admins. 404 BILLING.PAYMENT_NOT_FOUND.",
        security: [{ bearer: [] }],
        params: PaymentParams,
        response: { 200: PaymentResponse },
      },
    },
    async (request) => {
      const payment = await api.getPayment(request.params.paymentId);
      if (!payment) throw refuse({ code: "BILLING.PAYMENT_NOT_FOUND", field: "paymentId" });
      return payment;
    },
  );
}
