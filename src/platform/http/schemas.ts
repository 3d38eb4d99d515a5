import { Type, type TSchema } from "@sinclair/typebox";

/** Building blocks the routes' response schemas share (what the served OpenAPI document shows). */
export const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);
export const MinorUnits = (description = "integer minor units") => Type.Integer({ description });
export const CurrencyCode = Type.String({ pattern: "^[A-Z]{3}$" });
export const Instant = Type.String({ format: "date-time" });
