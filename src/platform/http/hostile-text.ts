/**
 * Text PostgreSQL cannot hold (DESIGN.md §8 "Text from outside"): U+0000 is refused in `text`, and a
 * lone UTF-16 surrogate (which `JSON.parse` makes from an escaped "\ud800") is refused in json/jsonb
 * and cannot be encoded as UTF-8 at all. One rule in the HTTP layer refuses both, wherever they sit in
 * a request, so no route reaches the database with them (and none answers 500).
 */

// In `u` mode a well-formed surrogate pair is one astral code point, so this class matches a NUL or a
// surrogate that stands alone, and nothing else.
const UNSTORABLE = /[\u0000\uD800-\uDFFF]/u;

export function isStorableText(text: string): boolean {
  return !UNSTORABLE.test(text);
}

/** At most this many offending paths are reported: enough to fix a request, too few to amplify one. */
const MAX_REPORTED = 10;

/**
 * The JSON-pointer-like paths (`body/items/0/name`, `querystring/q`) of every string, and every object
 * key, that holds unstorable text. Iterative, so a body nested a hundred thousand levels deep cannot
 * overflow the stack; Buffers (raw bodies kept for a signature check) are not text and are skipped.
 */
export function unstorableTextPaths(value: unknown, root: string): string[] {
  const found: string[] = [];
  const pending: Array<[unknown, string]> = [[value, root]];
  while (pending.length > 0 && found.length < MAX_REPORTED) {
    const [item, path] = pending.pop()!;
    if (typeof item === "string") {
      if (!isStorableText(item)) found.push(path);
    } else if (Array.isArray(item)) {
      for (let i = item.length - 1; i >= 0; i--) pending.push([item[i], `${path}/${i}`]);
    } else if (item !== null && typeof item === "object" && !Buffer.isBuffer(item) && !ArrayBuffer.isView(item)) {
      for (const [key, child] of Object.entries(item)) {
        const escaped = isStorableText(key) ? key : JSON.stringify(key).slice(1, -1);
        if (escaped !== key) found.push(`${path}/${escaped}`);
        else pending.push([child, `${path}/${key}`]);
      }
    }
  }
  return found;
}
