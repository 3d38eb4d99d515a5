import { Type, type TSchema } from "@sinclair/typebox";

/** Building blocks the routes' response schemas share (what the served OpenAPI document shows). */
export const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);
export const MinorUnits = (description = "integer minor units") => Type.Integer({ description });
export const CurrencyCode = Type.String({ pattern: "^[A-Z]{3}$" });
export const Instant = Type.String({ format: "date-time" });
/** A union of string literals made from the domain's own list, so the schema cannot drift from the type. */
export const OneOf = <T extends string>(values: readonly T[]) => Type.Unsafe<T>(Type.Union(values.map((value) => Type.Literal(value))));
