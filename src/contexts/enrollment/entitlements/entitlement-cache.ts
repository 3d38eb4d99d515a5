import { SYSTEM_SCOPE, type TenantScope } from "../../../platform/db/db.js";
import type { EntitlementFacts } from "./entitlement.domain.js";

/** A tenant's keys and the system scope's differ in their first character, whatever the tenant id. */
const keyOf = (scope: TenantScope, courseId: string) => (scope === SYSTEM_SCOPE ? `s\u0000${courseId}` : `t${scope}\u0000${courseId}`);

interface Entry {
  facts: EntitlementFacts | undefined;
  storedAt: number;
}

/**
 * In-process cache for the entitlement hot path, keyed by (userId, courseId) and the caller's RLS
 * scope. It caches the FACTS (the answering row), not the answer, so expiresAt/offlineUntil are
 * re-checked against the clock on every hit.
 *
 * Invalidation: every enrollment change for a user drops all of that user's keys after its
 * transaction commits (tx.afterCommit), in this process. Another process's cache is not told, so
 * across processes an answer may be stale for at most `ttlMs` after a change.
 *
 * A per-user generation guards the read-then-store race: a read that began before an invalidation
 * does not store its (possibly stale) result.
 */
export class EntitlementCache {
  private readonly byUser = new Map<string, Map<string, Entry>>();
  private readonly generations = new Map<string, number>();
  private size = 0;
  /** Bumped by `invalidateAll`: every user's generation moves with it, so no read begun before stores its answer. */
  private epoch = 0;

  constructor(
    readonly ttlMs: number,
    private readonly maxEntries = 100_000,
  ) {}

  generation(userId: string): number {
    return this.epoch + (this.generations.get(userId) ?? 0);
  }

  get(scope: TenantScope, userId: string, courseId: string, nowMs: number): { facts: EntitlementFacts | undefined } | undefined {
    const entry = this.byUser.get(userId)?.get(keyOf(scope, courseId));
    if (!entry) return undefined;
    if (nowMs - entry.storedAt >= this.ttlMs || nowMs < entry.storedAt) return undefined;
    return { facts: entry.facts };
  }

  set(scope: TenantScope, userId: string, courseId: string, facts: EntitlementFacts | undefined, nowMs: number, generation: number): void {
    if (this.ttlMs <= 0 || generation !== this.generation(userId)) return;
    if (this.size >= this.maxEntries) this.clear(); // crude but bounded; a full cache is a cold cache
    let forUser = this.byUser.get(userId);
    if (!forUser) this.byUser.set(userId, (forUser = new Map()));
    const key = keyOf(scope, courseId);
    if (!forUser.has(key)) this.size++;
    forUser.set(key, { facts, storedAt: nowMs });
  }

  invalidate(userIds: Iterable<string>): void {
    for (const userId of userIds) {
      this.generations.set(userId, this.generation(userId) + 1);
      const forUser = this.byUser.get(userId);
      if (forUser) {
        this.size -= forUser.size;
        this.byUser.delete(userId);
      }
    }
  }

  /** Every user's answers (a change nobody can list the users of, such as a site licence's coverage). */
  invalidateAll(): void {
    this.epoch++;
    this.clear();
  }

  clear(): void {
    this.byUser.clear();
    this.size = 0;
  }
}
