import type { Sql, Tx } from "../../../platform/db/db.js";
import type { Kernel } from "../../../platform/kernel.js";
import { refuse } from "../errors.js";
import type { PaymentMethodKind } from "./payment-intent.domain.js";
import { WALLET_PROVIDER, type PaymentProviders } from "./payment-providers.js";
import { forgetLockedMethod, methodOnFileByOwner, upsertMethodOnFile } from "./methods-on-file.sql.js";

/** How a buyer pays: a card by its provider token (never card data), or their learner-credit wallet. */
export type PaymentMethodInput = { method: "card"; token: string } | { method: "wallet" };

export interface KeepMethodOnFileInput {
  /** Who the method is kept for: an order id first, later a subscription id (the marketplace's reference). */
  ownerRef: string;
  tenantId: string;
  buyerUserId: string;
  method: PaymentMethodInput;
}

/** What a view may show of a method on file: never its token. */
export interface MethodOnFileView {
  method: PaymentMethodKind;
  /** Whose token it is: "sandbox" or "stripe" for a card, "wallet" for the wallet. */
  provider: string;
  /** Charges made with it since it was kept. */
  charges: number;
}

/**
 * Keeps `method` on file under `ownerRef`, replacing the one there (its count starts again at
 * `charges`: 1 when kept by the purchase that just charged it, 0 when the buyer changes card).
 * Refuses BILLING.TOKEN_REQUIRED, and BILLING.METHOD_OWNER_CONFLICT when the ref holds another
 * tenant's or buyer's method.
 */
export async function keepMethodOnFile(
  kernel: Kernel,
  providers: PaymentProviders,
  tx: Tx,
  input: KeepMethodOnFileInput & { charges?: number },
): Promise<MethodOnFileView> {
  if (input.method.method === "card" && input.method.token.length === 0)
    throw refuse({ code: "BILLING.TOKEN_REQUIRED", field: "method/token" });
  forgetLockedMethod(tx, input.ownerRef);
  const kept = await upsertMethodOnFile(
    tx,
    {
      ownerRef: input.ownerRef,
      tenantId: input.tenantId,
      buyerUserId: input.buyerUserId,
      method: input.method.method,
      token: input.method.method === "card" ? input.method.token : null,
      provider: input.method.method === "card" ? providers.card.name : WALLET_PROVIDER,
      charges: input.charges ?? 0,
    },
    kernel.clock.now(),
  );
  if (!kept)
    throw refuse({
      code: "BILLING.METHOD_OWNER_CONFLICT",
      detail: `${input.ownerRef} already has a method on file of another buyer`,
      field: "ownerRef",
    });
  return viewOf(kept);
}

export async function methodOnFileView(sql: Sql, ownerRef: string): Promise<MethodOnFileView | null> {
  const found = await methodOnFileByOwner(sql, ownerRef);
  return found ? viewOf(found) : null;
}

const viewOf = (kept: MethodOnFileView): MethodOnFileView => ({ method: kept.method, provider: kept.provider, charges: kept.charges });
