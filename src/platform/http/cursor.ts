import { RejectionError } from "../result.js";
import { isStorableText } from "./hostile-text.js";

/**
 * Opaque list cursors (API.md "Lists"). A cursor this server did not issue is a 400 with a stable
 * code, never an empty page (a client would take that for the end of the list) and never a 500
 * (decoded garbage can hold a NUL the database refuses).
 */
const invalid = () =>
  new RejectionError({ code: "REQUEST.CURSOR_INVALID", detail: "the cursor was not issued by this endpoint", field: "querystring/cursor" });

const MAX_KEY = 400;

/** base64url text that decodes to exactly itself: anything else was not made by `encode*`. */
function decode(text: string): string {
  const decoded = Buffer.from(text, "base64url").toString("utf8");
  if (decoded.length === 0 || Buffer.from(decoded, "utf8").toString("base64url") !== text) throw invalid();
  return decoded;
}

const isKey = (value: unknown): value is string =>
  typeof value === "string" && value.length > 0 && value.length <= MAX_KEY && isStorableText(value);

/** A cursor that is one generated id, for lists ordered by that id alone. */
export function encodeKeyCursor(key: string): string {
  return Buffer.from(key, "utf8").toString("base64url");
}

/** The ids this server makes (`enr_…`, `ssa_…`): a key cursor holds one of them and nothing else. */
const GENERATED_ID = /^[A-Za-z0-9_-]{1,200}$/;

export function decodeKeyCursor(text: string): string {
  const key = decode(text);
  if (!GENERATED_ID.test(key)) throw invalid();
  return key;
}

/** A cursor that is a time and an id breaking its ties, for lists ordered by (time, id). */
export function encodeTimeCursor(at: Date, id: string): string {
  return Buffer.from(JSON.stringify([at.toISOString(), id]), "utf8").toString("base64url");
}

export function decodeTimeCursor(text: string): { at: Date; id: string } {
  let value: unknown;
  try {
    value = JSON.parse(decode(text));
  } catch (error) {
    if (error instanceof RejectionError) throw error;
    throw invalid();
  }
  if (!Array.isArray(value) || value.length !== 2 || typeof value[0] !== "string" || !isKey(value[1])) throw invalid();
  const at = new Date(value[0]);
  if (Number.isNaN(at.getTime()) || at.toISOString() !== value[0]) throw invalid();
  return { at, id: value[1] };
}
