import { Type } from "@sinclair/typebox";
import { SYSTEM_SCOPE, type Tx } from "../../../platform/db/db.js";
import { hasRole, type Principal } from "../../../platform/http/auth.js";
import { decodeKeyCursor, encodeKeyCursor } from "../../../platform/http/cursor.js";
import { Component, Cursor, IdParam, Nullable, ShortText } from "../../../platform/http/schemas.js";
import { authorize, principalOf } from "../../../platform/http/server.js";
import { Json } from "../../../platform/http/openapi.js";
import type { EventMetadata } from "../../../platform/events/envelope.js";
import { requestMetadataOf } from "../../../platform/http/request-context.js";
import type { ModuleHost } from "../../../platform/module.js";
import { refuse } from "../errors.js";
import type { MarketplacePorts } from "../ports.js";
import type { SubscriptionRuntime } from "./subscription-flow.js";
import { forgetSubscription } from "./subscription-memo.js";
import { refusalOf, type SubscriptionInput } from "./subscription-saga.domain.js";
import { unwrap } from "../../../platform/result.js";
import { findLicense } from "../licenses/licenses.sql.js";
import { currentPlanVersion, planVersionOf } from "../plans/plans.sql.js";
import { mayAct, periodCharge, planChange } from "./subscription.domain.js";
import { SubscriptionStatusSchema, SubscriptionView, subscriptionView } from "./subscription-view.js";
import { chargesOf, findSubscription, listSubscriptions, setMethodRef, setNextTerms, type SubscriptionRow } from "./subscriptions.sql.js";

const Params = Type.Object({ subscriptionId: IdParam }, { additionalProperties: false });
const scopeOf = (principal: Principal) => (hasRole(principal, "platform_admin") ? SYSTEM_SCOPE : principal.tenantId);

/** GET, list, cancel, resume and a new payment method (issue 20): the buyer, an org admin of its tenant, a platform admin. */
export function subscriptionRoutes(
  { kernel, server, authenticator }: ModuleHost,
  ports: MarketplacePorts,
  runtime: SubscriptionRuntime,
): void {
  const Subscription = Component(server, "Subscription", SubscriptionView);
  const SubscriptionList = Type.Object(
    { items: Type.Array(Subscription), nextCursor: Nullable(Type.String()) },
    { additionalProperties: false },
  );

  /**
   * The subscription, locked with its saga, when the caller may do `action` with it: NOT_FOUND for one
   * they may not see, SUBSCRIPTION.NOT_ALLOWED for one they see but may not act on.
   */
  async function manageable(
    tx: Tx,
    principal: Principal,
    subscriptionId: string,
    action: "manage" | "payment_method" = "manage",
  ): Promise<SubscriptionRow> {
    await runtime.preload(tx, [subscriptionId]);
    const row = await findSubscription(tx, subscriptionId);
    if (!row || !mayAct(row, principal, "read"))
      throw refuse({ code: "SUBSCRIPTION.NOT_FOUND", detail: `no subscription ${subscriptionId}` });
    if (!mayAct(row, principal, action))
      throw refuse({
        code: "SUBSCRIPTION.NOT_ALLOWED",
        detail: action === "payment_method" ? "only the buyer sets the payment method" : "only the buyer manages a personal subscription",
      });
    return row;
  }

  /** Moves the saga; it exists for every subscription row (both are written by the fulfilling transaction). */
  async function move(tx: Tx, subscriptionId: string, input: SubscriptionInput, metadata: EventMetadata) {
    // The subscriber's request: its events carry the request's metadata (not a renewal's new trace).
    const state = await runtime.handle(tx, subscriptionId, input, { eventId: null, metadata });
    if (!state) throw new Error(`subscription ${subscriptionId} has no saga`);
    return state;
  }

  /**
   * Applies a subscriber's request to the saga and answers with the subscription as it now stands.
   * System scope: the saga's rows were written by a worker (no tenant); `manageable` checks the caller.
   */
  async function act(
    principal: Principal,
    subscriptionId: string,
    request: "cancel" | "resume",
    input: SubscriptionInput,
    metadata: EventMetadata,
  ) {
    return kernel.db.tx(
      async (tx) => {
        const row = await manageable(tx, principal, subscriptionId);
        const refusal = refusalOf(row, request, kernel.clock.now());
        if (refusal) throw refuse({ code: refusal, detail: `subscription ${subscriptionId} is ${row.status}` });
        const state = await move(tx, subscriptionId, input, metadata);
        return subscriptionView(row, await chargesOf(tx, subscriptionId), { state, now: kernel.clock.now() });
      },
      { tenantId: SYSTEM_SCOPE },
    );
  }

  server.get(
    "/api/v1/subscriptions/:subscriptionId",
    {
      preValidation: authorize(authenticator),
      schema: {
        tags: ["subscriptions"],
        operationId: "getSubscription",
        summary: "A subscription: its status, paid period, and every charge for it (the order's is period 0)",
        description:
          "The buyer, an org admin of its tenant (a seat pack or site license), or a platform admin; anyone else gets 404 SUBSCRIPTION.NOT_FOUND.",
        security: [{ bearer: [] }],
        params: Params,
        response: { 200: Json(Subscription, "The subscription with its renewals") },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      return kernel.db.tx(
        async (tx) => {
          const row = await findSubscription(tx, request.params.subscriptionId);
          if (!row || !mayAct(row, principal, "read"))
            throw refuse({ code: "SUBSCRIPTION.NOT_FOUND", detail: `no subscription ${request.params.subscriptionId}` });
          return subscriptionView(row, await chargesOf(tx, row.subscriptionId));
        },
        { tenantId: scopeOf(principal) },
      );
    },
  );

  server.get(
    "/api/v1/subscriptions",
    {
      preValidation: authorize(authenticator),
      schema: {
        tags: ["subscriptions"],
        operationId: "listSubscriptions",
        summary: "The caller's subscriptions (a buyer's own; an org admin's tenant's; every one for a platform admin), by id",
        description: "Ordered by subscriptionId, paged with limit and cursor; status narrows the list. Items leave out `renewals`.",
        security: [{ bearer: [] }],
        querystring: Type.Object(
          {
            status: Type.Optional(SubscriptionStatusSchema),
            limit: Type.Integer({ minimum: 1, maximum: 500, default: 100 }),
            cursor: Type.Optional(Cursor()),
          },
          { additionalProperties: false },
        ),
        response: { 200: Json(SubscriptionList, "A page of subscriptions; nextCursor is null on the last page") },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      const { status, limit, cursor } = request.query;
      const owner = hasRole(principal, "platform_admin")
        ? null
        : hasRole(principal, "org_admin")
          ? { tenantId: principal.tenantId }
          : { buyerUserId: principal.userId, tenantId: principal.tenantId };
      const rows = await kernel.db.tx(
        (tx) =>
          listSubscriptions(tx, {
            owner,
            ...(status ? { status } : {}),
            ...(cursor ? { after: decodeKeyCursor(cursor) } : {}),
            limit: limit + 1,
          }),
        { tenantId: scopeOf(principal) },
      );
      const page = rows.slice(0, limit);
      return {
        items: page.map((row) => subscriptionView(row, null)),
        nextCursor: rows.length > limit ? encodeKeyCursor(page[page.length - 1]!.subscriptionId) : null,
      };
    },
  );

  server.post(
    "/api/v1/subscriptions/:subscriptionId/cancel",
    {
      preValidation: authorize(authenticator),
      schema: {
        tags: ["subscriptions"],
        operationId: "cancelSubscription",
        summary: "Cancel a subscription, at the period's end (default) or now",
        description:
          "The buyer, or an org admin of its tenant for a seat pack or site license (403 SUBSCRIPTION.NOT_ALLOWED otherwise). atPeriodEnd " +
          "(default true): no further charge, access until currentPeriodEnd, resumable until then; false: access ends now. 409 SUBSCRIPTION.ENDED.",
        security: [{ bearer: [] }],
        params: Params,
        body: Type.Object({ atPeriodEnd: Type.Boolean({ default: true }) }, { additionalProperties: false }),
        response: { 200: Json(Subscription, "The subscription as it now stands") },
      },
    },
    async (request) =>
      act(
        principalOf(request),
        request.params.subscriptionId,
        "cancel",
        { type: "CancelRequested", atPeriodEnd: request.body.atPeriodEnd, at: kernel.clock.now() },
        requestMetadataOf(request),
      ),
  );

  server.post(
    "/api/v1/subscriptions/:subscriptionId/resume",
    {
      preValidation: authorize(authenticator),
      schema: {
        tags: ["subscriptions"],
        operationId: "resumeSubscription",
        summary: "Withdraw a cancellation at period end",
        description:
          "Who may cancel may resume, before the period ends: renewals go on. 409 SUBSCRIPTION.NOT_CANCELING / SUBSCRIPTION.ENDED.",
        security: [{ bearer: [] }],
        params: Params,
        response: { 200: Json(Subscription, "The subscription as it now stands") },
      },
    },
    async (request) =>
      act(
        principalOf(request),
        request.params.subscriptionId,
        "resume",
        { type: "ResumeRequested", at: kernel.clock.now() },
        requestMetadataOf(request),
      ),
  );

  server.post(
    "/api/v1/subscriptions/:subscriptionId/change-plan",
    {
      preValidation: authorize(authenticator),
      schema: {
        tags: ["subscriptions"],
        operationId: "changeSubscriptionPlan",
        summary: "Change what the next renewal buys (plan version, seats)",
        description:
          "Who may cancel may change the plan: another version of the same plan (a re-priced one applies only when asked for here) and, for a seat " +
          "pack, the seat count. Takes effect when the next renewal is paid; until then `pendingChange` shows it. 409 SUBSCRIPTION.SEATS_BELOW_ASSIGNED / " +
          "SUBSCRIPTION.RENEWAL_IN_PROGRESS / SUBSCRIPTION.ENDED; 422 SUBSCRIPTION.PLAN_VERSION_UNKNOWN / SUBSCRIPTION.NOT_SEAT_PACK / SUBSCRIPTION.NO_CHANGE.",
        security: [{ bearer: [] }],
        params: Params,
        body: Type.Object(
          {
            seats: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000_000 })),
            planVersion: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000_000 })),
          },
          { additionalProperties: false, minProperties: 1 },
        ),
        response: { 200: Json(Subscription, "The subscription as it now stands") },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      const { subscriptionId } = request.params;
      return kernel.db.tx(
        async (tx) => {
          const row = await manageable(tx, principal, subscriptionId);
          const now = kernel.clock.now();
          const charging = (await runtime.stateOf(tx, subscriptionId))?.charging != null;
          const refusal = refusalOf(row, "change_plan", now, charging);
          if (refusal) throw refuse({ code: refusal, detail: `subscription ${subscriptionId} cannot change now` });
          // The version held, or the plan's current one: an older, cheaper version is not on sale any more.
          const wanted = request.body.planVersion ?? row.planVersion;
          const offered = wanted === row.planVersion || wanted === (await currentPlanVersion(tx, row.planId));
          const target = offered ? await planVersionOf(tx, row.planId, wanted) : null;
          // Locked, as seat assignment locks it: the seats counted here stay counted until commit.
          const license = await findLicense(tx, row.licenseId, true);
          const change = unwrap(planChange(row, request.body, target, license?.seatsAssigned ?? 0));
          const tax = row.tax.country
            ? ports.payments.tax({ country: row.tax.country, amount: change.price, currency: row.currency, inclusive: row.tax.inclusive })
            : { amount: 0, inclusive: row.tax.inclusive };
          await setNextTerms(
            tx,
            subscriptionId,
            { planVersion: change.planVersion, seats: change.seats, ...periodCharge(change.price, tax) },
            now,
          );
          forgetSubscription(tx, subscriptionId);
          const state = await move(tx, subscriptionId, { type: "PlanChangeRequested", at: now }, requestMetadataOf(request));
          const changed = await findSubscription(tx, subscriptionId);
          return subscriptionView(changed!, await chargesOf(tx, subscriptionId), { state, now });
        },
        { tenantId: SYSTEM_SCOPE },
      );
    },
  );

  server.put(
    "/api/v1/subscriptions/:subscriptionId/payment-method",
    {
      preValidation: authorize(authenticator),
      schema: {
        tags: ["subscriptions"],
        operationId: "setSubscriptionPaymentMethod",
        summary: "A new payment method for the next charges",
        description:
          "Only the buyer (403 SUBSCRIPTION.NOT_ALLOWED otherwise). A new payment method for the next charges (billing keeps it; card: a sandbox token or a Stripe PaymentMethod id). A past-due or suspended " +
          "subscription is charged again at once and reactivated when that succeeds. 409 SUBSCRIPTION.ENDED.",
        security: [{ bearer: [] }],
        params: Params,
        body: Type.Union([
          Type.Object({ method: Type.Literal("card"), token: ShortText }, { additionalProperties: false }),
          Type.Object({ method: Type.Literal("wallet") }, { additionalProperties: false }),
        ]),
        response: { 200: Json(Subscription, "The subscription as it now stands") },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      const { subscriptionId } = request.params;
      const body = request.body;
      return kernel.db.tx(
        async (tx) => {
          const row = await manageable(tx, principal, subscriptionId, "payment_method");
          const refusal = refusalOf(row, "payment_method", kernel.clock.now());
          if (refusal) throw refuse({ code: refusal, detail: `subscription ${subscriptionId} is ${row.status}` });
          const method = body.method === "card" ? { method: "card" as const, token: body.token } : { method: "wallet" as const };
          // Kept under the subscription's own id from now on: the order's method stays the order's.
          await ports.payments.keepOnFile(tx, { ownerRef: subscriptionId, tenantId: row.tenantId, buyerUserId: row.buyerUserId, method });
          await setMethodRef(tx, subscriptionId, subscriptionId, kernel.clock.now());
          forgetSubscription(tx, subscriptionId);
          const state = await move(
            tx,
            subscriptionId,
            { type: "PaymentMethodChanged", at: kernel.clock.now() },
            requestMetadataOf(request),
          );
          return subscriptionView(row, await chargesOf(tx, subscriptionId), { state, now: kernel.clock.now() });
        },
        { tenantId: SYSTEM_SCOPE },
      );
    },
  );
}
