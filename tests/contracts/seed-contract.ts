/**
 * The seed contract: what the seed documents say each event carries (seed-events.fixture.ts), and a
 * checker that holds the live registry's payload schemas to it. The seeds are the source documents
 * this engine was built from; they are not in the repository, so the fixture names each section.
 */

/** A field's type as the seed writes it. `date-time` is an ISO-8601 string (seed 000's ISODate). */
export type SeedType =
  | "string"
  | "integer"
  | "number"
  | "boolean"
  | "date-time"
  /** an object whose fields the seed does not spell out */
  | "object"
  | { enum: readonly string[] }
  | { arrayOf: SeedType }
  | { object: SeedFields };

export interface SeedField {
  type: SeedType;
  optional?: true;
  nullable?: true;
}

/** Field name as the seed spells it → its type; a bare type is a required, non-null field. */
export type SeedFields = Readonly<Record<string, SeedType | SeedField>>;

/**
 * Where we deliberately differ from the seed, with the reason. `seedField` is a path in the seed's
 * names (`related_entity.type`, `payment_breakdown[].type`); `ourField` the same in ours.
 */
export type Mapping =
  | { seedField: string; ourField: string; why: string; /** the seed requires it, we send it only sometimes */ optional?: true }
  | { seedField: string; absent: true; why: string };

/**
 * `published`: we produce it, so every payload we send must be one the seed allows (our fields may
 * be narrower: an integer for a number, an enum for a string). `consumed`: it comes from outside, so
 * we must accept every payload the seed allows (ours may be wider, never narrower).
 */
export type Direction = "published" | "consumed";

/**
 * The seed's ordering promise: events with the same value of `seedField` stay in order (seed 000 §7,
 * seed 004's guarantees). `ourField` and `why` where our partition key is another field.
 */
export interface PartitionKey {
  seed: string;
  seedField: string;
  ourField?: string;
  why?: string;
}

export interface SeedEvent {
  wireType: string;
  /** The seed section, by name: "seed 000 §2.4". */
  seed: string;
  /** The seed's own name where it is not our wire type (seed 002 "OrderPlaced", seed 004 "order.paid"). */
  seedName?: string;
  direction: Direction;
  fields: SeedFields;
  mappings?: readonly Mapping[];
  partitionKey?: PartitionKey;
}

/** A seed section that names wire types without giving their payloads: each must exist in the registry. */
export interface SeedNames {
  seed: string;
  direction: Direction;
  wireTypes: readonly string[];
}

/** A seed event we deliberately neither publish nor consume, and why. */
export interface NotProduced {
  seed: string;
  seedName: string;
  why: string;
}

export interface SeedFixture {
  events: readonly SeedEvent[];
  named: readonly SeedNames[];
  notProduced: readonly NotProduced[];
}

/** A payload schema as JSON Schema (a TypeBox schema once its symbol keys are dropped). */
export type JsonSchema = Readonly<Record<string, unknown>>;

/** What the checker needs of the registry: a wire type's payload schema, or nothing if unknown. */
export type SchemaLookup = (wireType: string) => JsonSchema | undefined;

const fieldOf = (value: SeedType | SeedField): SeedField => (typeof value === "object" && "type" in value ? value : { type: value });

export function typeName(type: SeedType): string {
  if (typeof type === "string") return type;
  if ("enum" in type) return `one of ${type.enum.join(" | ")}`;
  if ("arrayOf" in type) return `array of ${typeName(type.arrayOf)}`;
  return "object";
}

/** Every problem found, one line each, naming the wire type, the seed field and what is wrong. */
export function checkFixture(fixture: SeedFixture, lookup: SchemaLookup): string[] {
  const problems: string[] = [];
  for (const event of fixture.events) problems.push(...checkEvent(event, lookup));
  for (const group of fixture.named) {
    for (const wireType of group.wireTypes) {
      if (!lookup(wireType))
        problems.push(`${wireType} (${group.seed}): the seed names it (${group.direction}) but the registry has no such wire type`);
    }
  }
  return problems;
}

export function checkEvent(event: SeedEvent, lookup: SchemaLookup): string[] {
  const schema = lookup(event.wireType);
  const where = `${event.wireType} (${event.seed}${event.seedName ? ` ${event.seedName}` : ""})`;
  if (!schema) return [`${where}: the registry has no such wire type`];
  const mappings = new Map((event.mappings ?? []).map((mapping) => [mapping.seedField, mapping]));
  const used = new Set<string>();
  // A payload with several shapes (oneOf/anyOf of objects): the seed's shape must fit one of them;
  // when none fits, the closest one's problems are the ones worth reading.
  let best: string[] | undefined;
  for (const branch of objectBranches(schema)) {
    const problems = checkFields(event.fields, branch, { event, where, mappings, used }, "", "");
    if (!best || problems.length < best.length) best = problems;
    if (problems.length === 0) break;
  }
  const problems = [...(best ?? [`${where}: the payload schema is not an object`])];
  for (const seedField of mappings.keys()) {
    if (!used.has(seedField)) problems.push(`${where}: the fixture maps seed field "${seedField}", which the seed's payload does not have`);
  }
  return problems;
}

/** A wire type's partition key for a payload (the registry's `partitionKey`), or undefined if the type is unknown. */
export type KeyOf = (wireType: string, payload: Record<string, unknown>) => string | undefined;

/**
 * Each seed ordering promise against the registry's partition key: a payload made of the seed's
 * fields under our names, each holding its own name, shows which field the key is read from.
 */
export function checkPartitionKeys(fixture: SeedFixture, keyOf: KeyOf): string[] {
  const problems: string[] = [];
  for (const event of fixture.events) {
    const promise = event.partitionKey;
    if (!promise) continue;
    const renamed = new Map((event.mappings ?? []).map((m) => [m.seedField, "absent" in m ? undefined : m.ourField]));
    const ourName = (seedField: string) => (renamed.has(seedField) ? renamed.get(seedField) : seedField);
    const sample = Object.fromEntries(
      Object.keys(event.fields)
        .map(ourName)
        .filter((name): name is string => name !== undefined)
        .map((name) => [name, `<${name}>`]),
    );
    const expected = promise.ourField ?? ourName(promise.seedField);
    const key = keyOf(event.wireType, sample);
    if (key === undefined) continue; // an unknown type is checkFixture's to report
    if (key !== `<${expected}>`) {
      const actual = /^<(.+)>$/.exec(key)?.[1] ?? "a value not among the seed's fields";
      problems.push(
        `${event.wireType} (${event.seed}): partitioned by ${actual}, but ${promise.seed} orders by ${promise.seedField}` +
          (promise.ourField ? ` (we chose ${promise.ourField})` : ""),
      );
    }
  }
  return problems;
}

interface Walk {
  event: SeedEvent;
  where: string;
  mappings: Map<string, Mapping>;
  used: Set<string>;
}

function checkFields(fields: SeedFields, ours: JsonSchema, walk: Walk, seedPrefix: string, ourPrefix: string): string[] {
  const problems: string[] = [];
  const properties = (ours.properties ?? {}) as Record<string, JsonSchema>;
  const required = new Set((ours.required ?? []) as string[]);
  const consumed = walk.event.direction === "consumed";
  const mappedOurs = new Set<string>();
  for (const [name, value] of Object.entries(fields)) {
    const seedPath = seedPrefix + name;
    const field = fieldOf(value);
    const mapping = walk.mappings.get(seedPath);
    if (mapping) walk.used.add(seedPath);
    const say = (ourPath: string, what: string) => `${walk.where}: seed field "${seedPath}" → our "${ourPath}": ${what}`;
    if (mapping && "absent" in mapping) {
      // A consumer that refuses unknown fields would refuse every seed payload carrying this one.
      if (consumed && ours.additionalProperties === false)
        problems.push(`${walk.where}: seed field "${seedPath}" is marked absent, but our schema refuses fields it does not list`);
      continue;
    }
    const ourPath = mapping ? mapping.ourField : ourPrefix + name;
    const ourName = ourPath.slice(ourPath.lastIndexOf(".") + 1);
    if (ourPath.slice(0, ourPath.length - ourName.length) !== ourPrefix)
      problems.push(say(ourPath, `the fixture maps it outside "${ourPrefix || "the payload"}", where the seed has it`));
    mappedOurs.add(ourName);
    const schema = properties[ourName];
    if (!schema) {
      problems.push(say(ourPath, "missing from the registry's payload schema"));
      continue;
    }
    const ourRequired = required.has(ourName);
    if (!consumed && !field.optional && !ourRequired && !(mapping && "optional" in mapping && mapping.optional))
      problems.push(say(ourPath, "the seed requires it, ours is optional"));
    if (consumed && field.optional && ourRequired) problems.push(say(ourPath, "the seed makes it optional, ours requires it"));
    problems.push(...compare(field, schema, walk, seedPath, ourPath));
  }
  if (consumed) {
    for (const name of required) {
      if (!mappedOurs.has(name))
        problems.push(`${walk.where}: our "${ourPrefix}${name}" is required but the seed's payload does not carry it`);
    }
  }
  return problems;
}

/** Our schema against one seed field's type, for the direction; nested objects and arrays are walked. */
function compare(field: SeedField, schema: JsonSchema, walk: Walk, seedPath: string, ourPath: string): string[] {
  const consumed = walk.event.direction === "consumed";
  const ours = describe(schema);
  const say = (what: string) => [`${walk.where}: seed field "${seedPath}" → our "${ourPath}": ${what}`];
  const mismatch = say(`the seed says ${typeName(field.type)}${field.nullable ? " or null" : ""}, ours is ${ours.name}`);
  if (ours.nullable && !field.nullable && !consumed) return say("ours may be null, the seed's may not");
  if (field.nullable && !ours.nullable && consumed) return say("the seed's may be null, ours may not");
  const type = field.type;
  if (typeof type === "string") return fitsLeaf(type, ours, consumed) ? [] : mismatch;
  if ("enum" in type) {
    if (ours.kind === "string" && consumed && !ours.format) return [];
    if (ours.kind !== "enum") return mismatch;
    const [inner, outer] = consumed ? [type.enum, ours.values] : [ours.values, type.enum];
    const extra = inner.filter((value) => !outer.includes(value));
    if (extra.length === 0) return [];
    return say(
      consumed ? `ours refuses the seed's ${extra.join(", ")}` : `ours may send ${extra.join(", ")}, which the seed does not list`,
    );
  }
  if ("arrayOf" in type) {
    if (ours.kind !== "array") return mismatch;
    return compare({ type: type.arrayOf }, ours.items, walk, `${seedPath}[]`, `${ourPath}[]`);
  }
  if (ours.kind !== "object") return mismatch;
  return checkFields(type.object, schema, walk, `${seedPath}.`, `${ourPath}.`);
}

function fitsLeaf(type: Extract<SeedType, string>, ours: Described, consumed: boolean): boolean {
  switch (type) {
    case "string":
      // Published: any string of ours is a string to the seed, an enum or a date-time too. Consumed:
      // a format of ours would refuse strings the seed allows.
      return (ours.kind === "string" && (!consumed || !ours.format)) || (ours.kind === "enum" && !consumed);
    case "date-time":
      return ours.kind === "string" && (ours.format === "date-time" || (consumed && !ours.format));
    case "integer":
      return ours.kind === "integer" || (consumed && ours.kind === "number");
    case "number":
      return ours.kind === "number" || (!consumed && ours.kind === "integer");
    case "boolean":
    case "object":
      return ours.kind === type;
  }
}

type Described =
  | { kind: "string"; format?: string; name: string; nullable: boolean }
  | { kind: "enum"; values: string[]; name: string; nullable: boolean }
  | { kind: "array"; items: JsonSchema; name: string; nullable: boolean }
  | { kind: "integer" | "number" | "boolean" | "object" | "other"; name: string; nullable: boolean };

/** Our schema's type, read from its JSON Schema: literal unions are enums, a null branch is "nullable". */
export function describe(schema: JsonSchema): Described {
  const options = (schema.anyOf ?? schema.oneOf) as JsonSchema[] | undefined;
  if (options) {
    const nonNull = options.filter((option) => option.type !== "null");
    const nullable = nonNull.length < options.length;
    if (nonNull.length > 0 && nonNull.every((option) => typeof option.const === "string")) {
      const values = nonNull.map((option) => option.const as string);
      return { kind: "enum", values, name: `one of ${values.join(" | ")}`, nullable };
    }
    if (nonNull.length === 1) return { ...describe(nonNull[0]!), nullable };
    return { kind: "other", name: "a union", nullable };
  }
  if (typeof schema.const === "string") return { kind: "enum", values: [schema.const], name: `"${schema.const}"`, nullable: false };
  if (Array.isArray(schema.enum)) {
    const values = schema.enum as string[];
    return { kind: "enum", values, name: `one of ${values.join(" | ")}`, nullable: false };
  }
  switch (schema.type) {
    case "string": {
      const format = schema.format as string | undefined;
      return { kind: "string", format, name: format ? `string (${format})` : "string", nullable: false };
    }
    case "array":
      return { kind: "array", items: (schema.items ?? {}) as JsonSchema, name: "array", nullable: false };
    case "integer":
    case "number":
    case "boolean":
    case "object":
      return { kind: schema.type, name: schema.type, nullable: false };
    default:
      return { kind: "other", name: String(schema.type ?? "untyped"), nullable: false };
  }
}

/** The object shapes a payload schema offers: itself, or each branch of a oneOf/anyOf. */
function objectBranches(schema: JsonSchema): JsonSchema[] {
  const options = (schema.oneOf ?? schema.anyOf) as JsonSchema[] | undefined;
  if (options) return options.filter((option) => option.type === "object");
  return schema.type === "object" ? [schema] : [];
}
