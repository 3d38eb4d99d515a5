import { createHash, randomBytes } from "node:crypto";

/**
 * An irreversible stand-in for an erased user id. The hash is salted with fresh randomness (never
 * stored), so nobody can recompute it from a guessed user id; one erasure uses one pseudonym, so
 * per-learner counts survive anonymized.
 */
export function newPseudonym(): string {
  return `erased_${createHash("sha256").update(randomBytes(32)).digest("hex").slice(0, 32)}`;
}

/** GDPR request kinds that ask for erasure (others — access, export, rectification — are not ours to act on here). */
export function asksForErasure(kind: string): boolean {
  return /eras|delet|forget/i.test(kind);
}
