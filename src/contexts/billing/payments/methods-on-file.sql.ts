import type { Sql, Tx } from "../../../platform/db/db.js";
import type { PaymentMethodKind } from "./payment-intent.domain.js";

/** Queries for billing.methods_on_file, nothing else. */
export interface MethodOnFile {
  ownerRef: string;
  tenantId: string;
  buyerUserId: string;
  method: PaymentMethodKind;
  /** The provider's reference (sandbox token, Stripe PaymentMethod id); null for a wallet. */
  token: string | null;
  provider: string;
  charges: number;
}

interface MethodRow {
  owner_ref: string;
  tenant_id: string;
  buyer_user_id: string;
  method: PaymentMethodKind;
  token: string | null;
  provider: string;
  charges: number | string;
}

const toMethod = (row: MethodRow): MethodOnFile => ({
  ownerRef: row.owner_ref,
  tenantId: row.tenant_id,
  buyerUserId: row.buyer_user_id,
  method: row.method,
  token: row.token,
  provider: row.provider,
  charges: Number(row.charges),
});

/**
 * Keeps `method` under its owner ref, replacing whatever was there (a new method starts its count
 * at `charges`). Returns null when the ref is held by another tenant's or buyer's method: an owner
 * ref is one buyer's, and a caller in the system scope must not overwrite someone else's card.
 */
export async function upsertMethodOnFile(sql: Sql, method: MethodOnFile, now: Date): Promise<MethodOnFile | null> {
  const result = await sql.query<MethodRow>(
    `INSERT INTO billing.methods_on_file (owner_ref, tenant_id, buyer_user_id, method, token, provider, charges, created_at, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)
     ON CONFLICT (owner_ref) DO UPDATE
       SET method = EXCLUDED.method, token = EXCLUDED.token, provider = EXCLUDED.provider, charges = EXCLUDED.charges, updated_at = EXCLUDED.updated_at,
           -- Another PaymentMethod is not attached to the Customer the old one was (see provider-customers.sql.ts).
           attached_to = CASE WHEN methods_on_file.token = EXCLUDED.token THEN methods_on_file.attached_to END
       WHERE methods_on_file.tenant_id = EXCLUDED.tenant_id AND methods_on_file.buyer_user_id = EXCLUDED.buyer_user_id
     RETURNING *`,
    [method.ownerRef, method.tenantId, method.buyerUserId, method.method, method.token, method.provider, method.charges, now],
  );
  return result.rows[0] ? toMethod(result.rows[0]) : null;
}

/** `lock`: held until the caller's transaction ends, so two charges on one method are made one after the other. */
export async function methodOnFileByOwner(sql: Sql, ownerRef: string, options: { lock?: boolean } = {}): Promise<MethodOnFile | null> {
  const result = await sql.query<MethodRow>(
    `SELECT * FROM billing.methods_on_file WHERE owner_ref = $1${options.lock ? " FOR UPDATE" : ""}`,
    [ownerRef],
  );
  return result.rows[0] ? toMethod(result.rows[0]) : null;
}

/**
 * The methods this transaction locked, as it last saw them: a batch of renewals locks its methods
 * in one statement (in owner order, so two batches never deadlock), and each charge then reads its
 * method here instead of asking again. A memo of the transaction: nothing outlives the commit.
 */
const LOCKED = {};
const lockedIn = (tx: Tx) => tx.memo(LOCKED, () => new Map<string, MethodOnFile>());

export async function lockMethodsOnFile(tx: Tx, ownerRefs: readonly string[]): Promise<void> {
  const locked = lockedIn(tx);
  const wanted = [...new Set(ownerRefs)].filter((ref) => !locked.has(ref)).sort();
  if (wanted.length === 0) return;
  const result = await tx.query<MethodRow>(
    `SELECT * FROM billing.methods_on_file WHERE owner_ref = ANY ($1::text[]) ORDER BY owner_ref FOR UPDATE`,
    [wanted],
  );
  for (const row of result.rows) locked.set(row.owner_ref, toMethod(row));
}

/** The method under `ownerRef`, locked: from this transaction's memo when a batch locked it, else read and locked now. */
export async function lockedMethodOnFile(tx: Tx, ownerRef: string): Promise<MethodOnFile | null> {
  const known = lockedIn(tx).get(ownerRef);
  if (known) return known;
  const found = await methodOnFileByOwner(tx, ownerRef, { lock: true });
  if (found) lockedIn(tx).set(ownerRef, found);
  return found;
}

/** A method replaced in this transaction is read again, not taken from the memo. */
export function forgetLockedMethod(tx: Tx, ownerRef: string): void {
  lockedIn(tx).delete(ownerRef);
}

/** One more charge made with the method: sent, not awaited (the row is locked; the memo keeps the count for a next charge in this transaction). */
export function countChargeOnFile(tx: Tx, ownerRef: string, now: Date): void {
  const known = lockedIn(tx).get(ownerRef);
  if (known) lockedIn(tx).set(ownerRef, { ...known, charges: known.charges + 1 });
  tx.send(`UPDATE billing.methods_on_file SET charges = charges + 1, updated_at = $2 WHERE owner_ref = $1`, [ownerRef, now]);
}
