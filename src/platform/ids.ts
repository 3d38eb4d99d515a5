import { randomFillSync } from "node:crypto";
import { V7Generator } from "uuidv7";
import type { Tx } from "./db/db.js";

/**
 * The library's default source refills 8 words per `crypto.getRandomValues` call, whose checks cost
 * more than the bytes: ids were about 2% of the embedded server's time under load. One refill of
 * 1,024 words from the same CSPRNG serves about 300 ids.
 */
const words = new Uint32Array(1024);
let cursor = words.length;
const generator = new V7Generator({
  nextUint32() {
    if (cursor >= words.length) {
      randomFillSync(words);
      cursor = 0;
    }
    return words[cursor++]!;
  },
});

/** Prefixed, time-ordered ids (`ord_0194…`): readable in logs, sortable, safe as dedup keys. */
export function newId(prefix: string): string {
  return `${prefix}_${generator.generate().toHex()}`;
}

const MINTED = {};
const minted = (tx: Tx) => tx.memo(MINTED, () => new Set<string>());

/**
 * A new id, remembered as minted in this transaction. Until it commits no other transaction can
 * know the id, so no row outside it refers to it: a row keyed by it can be inserted without
 * waiting to find out whether one exists (`mintedIn`).
 */
export function newIdIn(tx: Tx, prefix: string): string {
  return markMinted(tx, newId(prefix));
}

/**
 * Records an id made with `newId` as minted in this transaction: only for an id nothing outside
 * the transaction has seen. Were a row keyed by it there after all, its insert fails the
 * transaction (a unique index), never duplicates (the tests make sure).
 */
export function markMinted(tx: Tx, id: string): string {
  minted(tx).add(id);
  return id;
}

/** Whether `id` was minted in this transaction (`newIdIn`), so nothing outside it holds a row keyed by it. */
export function mintedIn(tx: Tx, id: string): boolean {
  return minted(tx).has(id);
}
