import { Type } from "@sinclair/typebox";
import { hasRole, type Authenticator } from "../../../platform/http/auth.js";
import { IdempotencyKeyHeader, idempotent, keyedRequest } from "../../../platform/http/idempotency.js";
import { AmountInput, CurrencyCode, Text } from "../../../platform/http/schemas.js";
import { authorize, principalOf, type HttpServer } from "../../../platform/http/server.js";
import { eventContextOf } from "../../../platform/http/request-context.js";
import { refuse } from "../errors.js";
import type { BillingApi } from "../billing-api.js";
import { WalletCreditResponse, WalletsResponse } from "../billing-responses.js";
import { creditWallet } from "./credit-wallet.js";
import { DEBIT_ORDER, emptyBalances, total, type Balances } from "./wallet.domain.js";
import { balancesOfUser } from "./wallets.sql.js";
import { SYSTEM_SCOPE } from "../../../platform/db/db.js";

const UserParams = Type.Object({ userId: Text(128) });
const CreditBody = Type.Object(
  {
    bucket: Type.Union(DEBIT_ORDER.map((bucket) => Type.Literal(bucket))),
    amount: AmountInput(1),
    currency: CurrencyCode,
    tenantId: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 128,
        description: "the wallet's tenant; platform_admin only (org_admin credits within their own tenant)",
      }),
    ),
  },
  { additionalProperties: false },
);

/** Learner-credit wallets (API.md "Billing"). A wallet belongs to (tenant, user); rows are tenant-isolated. */
export function walletRoutes(server: HttpServer, api: BillingApi, authenticator: Authenticator): void {
  server.post(
    "/api/v1/wallets/:userId/credits",
    {
      preValidation: authorize(authenticator, "platform_admin", "org_admin"),
      schema: {
        tags: ["billing"],
        operationId: "creditWallet",
        summary: "Credit one bucket of a learner's wallet (Idempotency-Key required: it moves money)",
        description:
          "Platform admins (any tenant, with tenantId) or an org_admin (their own tenant only; 403 AUTH.FORBIDDEN otherwise). Buckets are spent promo first, then branded, then general.",
        security: [{ bearer: [] }],
        headers: IdempotencyKeyHeader,
        params: UserParams,
        body: CreditBody,
        response: { 201: WalletCreditResponse },
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      const { userId } = request.params;
      const body = request.body;
      const isPlatformAdmin = hasRole(principal, "platform_admin");
      if (!isPlatformAdmin && body.tenantId !== undefined && body.tenantId !== principal.tenantId) {
        throw refuse({
          code: "AUTH.FORBIDDEN",
          detail: "an org_admin credits wallets of their own tenant only",
          field: "tenantId",
        });
      }
      const tenantId = isPlatformAdmin ? (body.tenantId ?? principal.tenantId) : principal.tenantId;
      const keyed = keyedRequest(request, principal);
      // API.md: every POST that moves money takes an Idempotency-Key, so a retried credit cannot credit twice.
      const stored = await idempotent(api.kernel.db, keyed, { required: true, tenantId }, async (tx) => {
        const credit = await creditWallet(api.kernel, tx, {
          tenantId,
          userId,
          bucket: body.bucket,
          amount: body.amount,
          currency: body.currency,
          idempotencyKey: `http:${keyed.scope}:${keyed.key}`,
          context: eventContextOf(request, principal),
        });
        return { status: 201, body: credit };
      });
      return reply.status(stored.status as 201).send(stored.body);
    },
  );

  server.get(
    "/api/v1/wallets/:userId",
    {
      preValidation: authorize(authenticator),
      schema: {
        tags: ["billing"],
        operationId: "getWallets",
        summary: "Balances per bucket (the user, an org_admin of their tenant, platform_admin)",
        description: "One wallet per (tenant, currency) the user holds credit in; a user without credit has an empty list.",
        security: [{ bearer: [] }],
        params: UserParams,
        response: { 200: WalletsResponse },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      const { userId } = request.params;
      const isPlatformAdmin = hasRole(principal, "platform_admin");
      if (!isPlatformAdmin && principal.userId !== userId && !hasRole(principal, "org_admin")) {
        throw refuse({
          code: "AUTH.FORBIDDEN",
          detail: "only the wallet's owner, an org_admin of their tenant or a platform_admin may read it",
        });
      }
      // RLS does the tenant part: an org_admin (or the user) sees only wallet rows of their own tenant.
      const rows = await api.kernel.db.tx((tx) => balancesOfUser(tx, userId), {
        tenantId: isPlatformAdmin ? SYSTEM_SCOPE : principal.tenantId,
      });
      const wallets = new Map<string, { tenantId: string; currency: string; balances: Balances }>();
      for (const row of rows) {
        const id = `${row.tenantId}/${row.currency}`;
        const wallet = wallets.get(id) ?? { tenantId: row.tenantId, currency: row.currency, balances: emptyBalances() };
        wallet.balances[row.bucket] = row.balance;
        wallets.set(id, wallet);
      }
      return { userId, wallets: [...wallets.values()].map((wallet) => ({ ...wallet, total: total(wallet.balances) })) };
    },
  );
}
