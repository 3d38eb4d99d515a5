/**
 * How deep an event payload may nest. Real payloads are a few levels deep; thousands of levels only
 * serve to exhaust a recursive walker's stack (validators, serializers, PostgreSQL's jsonb parser).
 */
export const MAX_PAYLOAD_DEPTH = 32;

/** Whether `value` nests objects or arrays deeper than `max` levels; iterative, so any depth is safe to ask. */
export function nestsDeeperThan(value: unknown, max: number): boolean {
  const stack: Array<[unknown, number]> = [[value, 0]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (node === null || typeof node !== "object") continue;
    if (depth + 1 > max) return true;
    for (const child of Array.isArray(node) ? node : Object.values(node)) {
      if (child !== null && typeof child === "object") stack.push([child, depth + 1]);
    }
  }
  return false;
}

/**
 * About the size the relay will measure, the UTF-8 bytes of the stored jsonb as text: that text puts
 * a space after every ":" and ",", so one byte per object key and array element is added. (jsonb
 * also spells numbers out, 1e300 as 301 digits: the relay's own check stays the last word.)
 */
export function storedEnvelopeBytes(envelope: unknown): number {
  let entries = 0;
  const stack: unknown[] = [envelope];
  while (stack.length > 0) {
    const node = stack.pop();
    if (node === null || typeof node !== "object") continue;
    const children = Array.isArray(node) ? node : Object.values(node);
    entries += children.length;
    for (const child of children) if (child !== null && typeof child === "object") stack.push(child);
  }
  return Buffer.byteLength(JSON.stringify(envelope)) + entries;
}
