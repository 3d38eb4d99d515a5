import { uuidv7 } from "uuidv7";

/** Prefixed, time-ordered ids (`ord_0194…`): readable in logs, sortable, safe as dedup keys. */
export function newId(prefix: string): string {
  return `${prefix}_${uuidv7().replaceAll("-", "")}`;
}
