import fc from "fast-check";

/** Text PostgreSQL cannot store: NUL, and lone UTF-16 surrogates (what JSON.parse makes of "\ud800"). */
export const UNSTORABLE = ["\u0000", "a\u0000b", "\ud800", "x\udfff", "\udc00\ud800y"] as const;

/** Strings a hostile caller sends. */
export const hostileString = fc.constantFrom(
  ...UNSTORABLE,
  "",
  " ",
  "x".repeat(5_000),
  "*",
  "%",
  "' OR 1=1 --",
  "\\",
  "😀",
  "../../etc",
  "ten_fuzz",
  "\u202e",
  "é",
);
/** Numbers past every sane bound, fractions, negatives. */
export const hostileNumber = fc.constantFrom(2 ** 53 - 1, 2 ** 53 + 2, 1e308, -1, 0, 1.5, -1e21, 1e21, 2 ** 31, -(2 ** 63));
/** The wrong type for anything. */
export const wrongType = fc.constantFrom<unknown>(null, true, [], {}, "12", [1, 2], { a: { b: { c: [] } } });
export const hostile: fc.Arbitrary<unknown> = fc.oneof(hostileString, hostileNumber, wrongType);

type Schema = Record<string, any>;

/** A plausible value for a string schema (formats and the common patterns), so rules past the schema run too. */
function plausibleString(schema: Schema): fc.Arbitrary<string> {
  if (schema.format === "date-time") return fc.constantFrom("2026-03-01T09:00:00.000Z", "2030-01-01T00:00:00Z", "1970-01-01T00:00:00Z");
  if (schema.format === "email") return fc.constantFrom("a@example.com", "x@y.co");
  if (schema.format === "uri") return fc.constantFrom("https://example.com/x");
  if (schema.pattern === "^[A-Z]{3}$") return fc.constantFrom("USD", "EUR", "XXX");
  if (schema.pattern === "^[A-Z]{2}$") return fc.constantFrom("US", "DE");
  return fc.constantFrom("ten_fuzz", "usr_fuzz", "prv_fuzz", "crs_fuzz", "x", "1", "fuzz-key-1");
}

/**
 * Values shaped by a JSON schema (as the served OpenAPI document has them), where any part may be
 * swapped for a hostile one: mostly-valid requests reach the code behind the schema.
 */
export function fromSchema(schema: Schema | undefined, depth = 0): fc.Arbitrary<unknown> {
  if (!schema || depth > 4) return hostile;
  const alternatives = schema.anyOf ?? schema.oneOf;
  let shaped: fc.Arbitrary<unknown>;
  if (alternatives) shaped = fc.oneof(...(alternatives as Schema[]).map((s) => fromSchema(s, depth + 1)));
  else if (schema.enum) shaped = fc.constantFrom(...(schema.enum as unknown[]));
  else if ("const" in schema) shaped = fc.constant(schema.const);
  else if (schema.type === "string") shaped = plausibleString(schema);
  else if (schema.type === "integer" || schema.type === "number") {
    const min = typeof schema.minimum === "number" ? schema.minimum : 0;
    const max = typeof schema.maximum === "number" ? Math.min(schema.maximum, min + 1_000) : min + 1_000;
    shaped = fc.integer({ min: Math.ceil(min), max: Math.max(Math.ceil(min), Math.floor(max)) });
  } else if (schema.type === "boolean") shaped = fc.boolean();
  else if (schema.type === "array") shaped = fc.array(fromSchema(schema.items, depth + 1), { maxLength: 3 });
  else if (schema.type === "object" || schema.properties) {
    const properties = (schema.properties ?? {}) as Record<string, Schema>;
    const record = fc.record(Object.fromEntries(Object.entries(properties).map(([key, s]) => [key, fromSchema(s, depth + 1)])), {
      requiredKeys: (schema.required ?? []).filter((key: string) => key in properties),
    });
    // Now and then an unknown key, or a key that is itself unstorable text.
    shaped = fc.oneof({ weight: 6, arbitrary: record }, { weight: 1, arbitrary: record.map((r) => ({ ...r, "\u0000": "x", extra: 1 })) });
  } else shaped = hostile;
  return fc.oneof({ weight: 5, arbitrary: shaped }, { weight: 1, arbitrary: hostile });
}

/**
 * Percent-encoding that survives lone surrogates (encodeURIComponent throws on them): they go out as
 * the bytes a lax encoder would send (WTF-8), which the server must refuse as a bad URL, not crash on.
 */
export function encodeLoose(text: string): string {
  let out = "";
  for (const char of text) {
    const unit = char.charCodeAt(0);
    if (char.length === 1 && unit >= 0xd800 && unit <= 0xdfff)
      out +=
        `%${(0xe0 | (unit >> 12)).toString(16)}%${(0x80 | ((unit >> 6) & 0x3f)).toString(16)}%${(0x80 | (unit & 0x3f)).toString(16)}`.toUpperCase();
    else out += encodeURIComponent(char);
  }
  return out;
}

/** A JSON body nested far deeper than any schema (written as text: JSON.stringify would overflow first). */
export const deepBody = (levels: number) => `${'{"a":['.repeat(levels)}1${"]}".repeat(levels)}`;
