import { Kind, TypeRegistry, type SchemaOptions, type Static, type TSchema } from "@sinclair/typebox";
import { Value } from "@sinclair/typebox/value";

/**
 * A payload with several shapes, exactly one of which fits, written as JSON Schema `oneOf` (TypeBox's
 * own Union is `anyOf`). The schema is what the AsyncAPI document shows, so a subscriber reads "one
 * of these shapes" (enrollment.revoked.v1's two seed shapes). Give the branches closed objects that
 * differ in a required field: then exactly one matches, and a payload that fits two is refused.
 */
export interface TOneOf<T extends TSchema[] = TSchema[]> extends TSchema {
  [Kind]: "OneOf";
  static: Static<T[number]>;
  oneOf: T;
}

// TypeBox validates a kind it does not know through this registry (its compiler calls it); once per process.
if (!TypeRegistry.Has("OneOf")) {
  TypeRegistry.Set<TOneOf>("OneOf", (schema, value) => schema.oneOf.filter((branch) => Value.Check(branch, value)).length === 1);
}

export function OneOf<T extends TSchema[]>(branches: [...T], options: SchemaOptions = {}): TOneOf<T> {
  return { ...options, [Kind]: "OneOf", oneOf: branches } as unknown as TOneOf<T>;
}
