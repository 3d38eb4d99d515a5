import { createHash } from "node:crypto";
import { Type } from "@sinclair/typebox";
import type { FastifyRequest } from "fastify";
import type { Db, TenantScope, Tx } from "../db/db.js";
import { sqlText } from "../db/sql-text.js";
import { RejectionError } from "../result.js";

export interface StoredResponse<T> {
  status: number;
  body: T;
  replayed: boolean;
}

export interface IdempotencyRequest {
  key: string | undefined;
  /** Who and where: the same key from two callers or on two routes are different keys. */
  scope: string;
  body: unknown;
}

/** The header as a route schema declares it, so the OpenAPI document lists it (whether required is the route's call). */
export const IdempotencyKeyHeader = Type.Object({
  "idempotency-key": Type.Optional(Type.String({ description: "the same key and body replay the first response" })),
});

/**
 * The Idempotency-Key request of an HTTP call: the header; whose key it is, on which method and path
 * (the caller's tenant and user: user ids are only unique per tenant); and the body it must match.
 */
export function keyedRequest(
  request: FastifyRequest,
  caller: { tenantId: string; userId: string },
  body: unknown = request.body,
): IdempotencyRequest {
  const header = request.headers["idempotency-key"];
  return {
    key: typeof header === "string" ? header : undefined,
    scope: `${caller.tenantId}/${caller.userId}:${request.method} ${request.url.split("?")[0]}`,
    body,
  };
}

/** JSON with object keys sorted, so that the same body sent with its fields in another order matches. */
function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value === null || typeof value !== "object") return value;
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .map((key) => [key, canonical((value as Record<string, unknown>)[key])]),
  );
}

function fingerprint(body: unknown): string {
  return createHash("sha256")
    .update(JSON.stringify(canonical(body ?? null)))
    .digest("hex");
}

/**
 * Invariant 7. The key row is inserted first and the effect runs in the same transaction: a
 * concurrent request with the same key blocks on the key's unique index until the first commits,
 * then reads its response. A rolled-back effect leaves no key, so a retry really retries.
 */
export async function idempotent<T, P = undefined>(
  db: Db,
  request: IdempotencyRequest,
  options: { required: boolean; tenantId: TenantScope },
  work: (tx: Tx, prefetched: P) => Promise<{ status: number; body: T }>,
  prefetch?: (tx: Tx) => Promise<P>,
): Promise<StoredResponse<T>> {
  const { key } = request;
  if (key === undefined) {
    if (options.required)
      throw new RejectionError({
        code: "IDEMPOTENCY.KEY_REQUIRED",
        detail: "this request needs an Idempotency-Key header",
        field: "headers/idempotency-key",
      });
    return { ...(await db.tx(async (tx) => work(tx, (await prefetch?.(tx)) as P), { tenantId: options.tenantId })), replayed: false };
  }
  if (key.length === 0 || key.length > 255)
    throw new RejectionError({
      code: "IDEMPOTENCY.KEY_INVALID",
      detail: "Idempotency-Key must be 1 to 255 characters",
      field: "headers/idempotency-key",
    });
  const hash = fingerprint(request.body);
  return db.tx(
    async (tx) => {
      const claim = tx.query(
        `INSERT INTO platform.idempotency_keys (scope, key, request_hash) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`,
        [request.scope, key, hash],
      );
      // The work's reads go out behind the claim, in the same round trip; the server still runs
      // them after it, so they wait with it when a concurrent request holds the key.
      const prefetched = prefetch?.(tx);
      prefetched?.catch(() => undefined);
      const claimed = await claim;
      if (claimed.rowCount === 0) {
        await prefetched?.catch(() => undefined); // every statement of the transaction ends before it does
        const stored = await tx.query<{ request_hash: string; status: number; response: T }>(
          `SELECT request_hash, status, response FROM platform.idempotency_keys WHERE scope = $1 AND key = $2`,
          [request.scope, key],
        );
        // No row seen: the key was claimed in another row-level security scope (a key stored
        // before migration 0910 took its caller's tenant, not the transaction's). Not this request's.
        const row = stored.rows[0];
        if (!row || row.request_hash !== hash)
          throw new RejectionError({
            code: "IDEMPOTENCY.KEY_REUSED",
            detail: "this Idempotency-Key was used with a different request body",
          });
        return { status: row.status, body: row.response, replayed: true };
      }
      const result = await work(tx, (await prefetched) as P);
      // Written with the transaction's other deferred writes: nothing reads the key back before commit.
      tx.later({
        ctes: [
          sqlText`UPDATE platform.idempotency_keys SET status = ${result.status}::int, response = ${JSON.stringify(result.body)}::jsonb
                   WHERE scope = ${request.scope}::text AND key = ${key}::text`,
        ],
      });
      return { ...result, replayed: false };
    },
    { tenantId: options.tenantId },
  );
}
