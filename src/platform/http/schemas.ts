import { Type, type Static, type TSchema } from "@sinclair/typebox";

/**
 * Building blocks the routes' and wire types' schemas share (what the served OpenAPI document shows),
 * so one limit is written once: an id is at most 200 characters everywhere.
 */

/** An id in a body, a path or an event payload: 1 to 200 characters. */
export const Id = Type.String({ minLength: 1, maxLength: 200 });
/**
 * An id or name in a path or query parameter (a lookup, a filter) that has always been only bounded
 * (no minLength): kept so, because a minimum would turn whatever an empty value answers today into a 400.
 */
export const IdParam = Type.String({ maxLength: 200 });
/** Text of 1 to `maxLength` characters (names, titles, keys). */
export const Text = (maxLength: number) => Type.String({ minLength: 1, maxLength });
/** A name, a title, a short reason: 1 to 200 characters. */
export const ShortText = Text(200);
/** A reason a person wrote (a refund's, a rejection's): 1 to 2,000 characters. */
export const LongText = Text(2000);
/** An opaque page cursor as a query parameter: only bounded, as it has always been. */
export const Cursor = (maxLength = 400) => Type.String({ maxLength });
export const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);
export const MinorUnits = (description = "integer minor units") => Type.Integer({ description });
/**
 * The largest amount a request may carry: 10^12 minor units (ten billion in a two-decimal currency).
 * Thousands of such amounts still add up exactly in a JSON number and a JS number (2^53 ≈ 9·10^15), so
 * no total, balance or split built from request amounts leaves the exact integers.
 */
export const MAX_MINOR_UNITS = 1_000_000_000_000;
/** An amount in a request body: integer minor units, bounded (a fraction or a float is a 400). */
export const AmountInput = (minimum: 0 | 1, description = "integer minor units") =>
  Type.Integer({ minimum, maximum: MAX_MINOR_UNITS, description });
export const CurrencyCode = Type.String({ pattern: "^[A-Z]{3}$" });
export const Instant = Type.String({ format: "date-time" });
/** A union of string literals made from the domain's own list, so the schema cannot drift from the type. */
export const OneOf = <T extends string>(values: readonly T[]) => Type.Unsafe<T>(Type.Union(values.map((value) => Type.Literal(value))));

/**
 * A named schema shared through the OpenAPI document's components.schemas (`name` is its $id and
 * title, e.g. "Order"): added to the server once, referred to by routes, so a generated client gets
 * one named type instead of a copy per operation. Fastify's serializer reads the same shared schema.
 */
export function Component<T extends TSchema>(
  server: { getSchema(id: string): unknown; addSchema(schema: unknown): unknown },
  name: string,
  schema: T,
) {
  if (!server.getSchema(name)) server.addSchema({ ...schema, $id: name, title: name });
  return Type.Unsafe<Static<T>>(Type.Ref(name));
}
