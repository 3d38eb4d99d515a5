import { Type } from "@sinclair/typebox";
import { WalletBucket } from "../../contracts/billing.js";
import { CurrencyCode as Currency, MinorUnits, Nullable, OneOf } from "../../platform/http/schemas.js";
import { INTENT_STATUSES, PAYMENT_METHODS } from "./payments/payment-intent.domain.js";

/**
 * What billing's routes answer, for the served OpenAPI document (API.md: extra fields must be
 * described there). Fastify also serializes responses by these schemas, so a field missing here
 * would be dropped from the response: keep them in step with payment-view.ts and the wallet routes.
 */
const Minor = MinorUnits();

export const PaymentResponse = Type.Object(
  {
    paymentId: Type.String(),
    orderId: Type.String(),
    tenantId: Type.String(),
    buyerUserId: Type.String(),
    status: OneOf(INTENT_STATUSES),
    amount: Minor,
    currency: Currency,
    method: OneOf(PAYMENT_METHODS),
    provider: Type.String({ description: "sandbox, stripe or wallet" }),
    refundedAmount: Minor,
    failureCode: Nullable(Type.String()),
    failureMessage: Nullable(Type.String()),
    walletBreakdown: Nullable(
      Type.Array(Type.Object({ bucket: WalletBucket, amount: Minor, transactionId: Type.String() }, { additionalProperties: false }), {
        description: "wallet payments: what each bucket gave",
      }),
    ),
    refunds: Type.Array(
      Type.Object(
        {
          refundId: Type.String(),
          amount: Minor,
          reason: Type.String(),
          status: Type.Union([Type.Literal("pending"), Type.Literal("succeeded"), Type.Literal("failed")]),
        },
        { additionalProperties: false },
      ),
    ),
    walletShortfall: Nullable(
      Type.Object(
        { amountRequired: Minor, amountAvailable: Minor },
        { additionalProperties: false, description: "a wallet payment refused for lack of credit" },
      ),
    ),
  },
  { additionalProperties: false },
);

export const WalletCreditResponse = Type.Object(
  {
    transactionId: Type.String(),
    tenantId: Type.String(),
    userId: Type.String(),
    bucket: WalletBucket,
    amount: Minor,
    currency: Currency,
    balanceAfter: Minor,
  },
  { additionalProperties: false },
);

export const WalletsResponse = Type.Object(
  {
    userId: Type.String(),
    wallets: Type.Array(
      Type.Object(
        {
          tenantId: Type.String(),
          currency: Currency,
          balances: Type.Object({ promo: Minor, branded: Minor, general: Minor }, { additionalProperties: false }),
          total: Minor,
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);
