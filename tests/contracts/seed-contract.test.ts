import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { upstreamEvents } from "../../src/contracts/upstream.js";
import { contextModules, inStartOrder } from "../../src/modules.js";
import { ManualClock } from "../../src/platform/clock.js";
import { EventRegistry } from "../../src/platform/events/registry.js";
import {
  checkEvent,
  checkFixture,
  checkPartitionKeys,
  type JsonSchema,
  type KeyOf,
  type SchemaLookup,
  type SeedEvent,
} from "./seed-contract.js";
import { currentBlock, DOC_PATH, renderSeedTables } from "./event-contract-doc.js";
import { seedFixture } from "./seed-events.fixture.js";

// The registry as the app builds it (src/app.ts): every context module's wire types and the
// upstream ones it consumes. Building the modules opens nothing: no database, no bus.
const modules = inStartOrder(contextModules(new ManualClock(), {}));
const produced = new Set(modules.flatMap((module) => module.events.map((definition) => definition.type)));
const registry = new EventRegistry().register(...upstreamEvents, ...modules.flatMap((module) => module.events));

/** A payload schema as subscribers read it (the AsyncAPI document): JSON, TypeBox's symbols gone. */
const asJson = (schema: unknown) => JSON.parse(JSON.stringify(schema)) as JsonSchema;
const live: SchemaLookup = (type) => {
  const definition = registry.get(type);
  return definition && asJson(definition.payload);
};
/** The live registry with one wire type's schema replaced (or removed). */
const withSchema =
  (type: string, change: (schema: any) => JsonSchema | undefined): SchemaLookup =>
  (asked) =>
    asked === type ? change(live(type)) : live(asked);
const keyOf: KeyOf = (type, payload) => registry.get(type)?.partitionKey(payload as never);
const entry = (wireType: string, seed: string) => seedFixture.events.find((e) => e.wireType === wireType && e.seed === seed)!;

describe("the seed contract", () => {
  it("holds: every seed field is in the registry's payload, under its mapped name, with a type and requiredness the seed allows", () => {
    const problems = checkFixture(seedFixture, live);
    expect(problems, problems.join("\n")).toEqual([]);
  });

  it("agrees with the registry on direction: what the seeds say we publish is produced by one of our contexts", () => {
    const published = [
      ...seedFixture.events.filter((e) => e.direction === "published"),
      ...seedFixture.named.filter((n) => n.direction === "published"),
    ];
    const wireTypes = published.flatMap((e) => ("wireTypes" in e ? e.wireTypes : [e.wireType]));
    expect(wireTypes.filter((type) => !produced.has(type))).toEqual([]);
    const consumedFromOutside = seedFixture.named.flatMap((n) => n.wireTypes).filter((type) => !produced.has(type));
    expect(consumedFromOutside.filter((type) => !registry.get(type)?.upstream)).toEqual([]);
  });

  it("keeps each seed's ordering promise: the partition key is the field the seed orders by, or the one the fixture chose and says why", () => {
    const problems = checkPartitionKeys(seedFixture, keyOf);
    expect(problems, problems.join("\n")).toEqual([]);
    const chosen = seedFixture.events.filter((e) => e.partitionKey?.ourField);
    expect(chosen.filter((e) => !e.partitionKey?.why)).toEqual([]);
  });

  it("gives a reason for every difference and every seed event we do not produce", () => {
    const reasons = [
      ...seedFixture.events.flatMap((e) => (e.mappings ?? []).map((m) => m.why)),
      ...seedFixture.notProduced.map((n) => n.why),
    ];
    expect(reasons.filter((why) => why.trim().length < 20)).toEqual([]);
  });

  it("is what docs/event-contract.md shows (regenerate: npx tsx tests/contracts/event-contract-doc.ts --write)", () => {
    expect(currentBlock(readFileSync(DOC_PATH, "utf8"))).toBe(renderSeedTables(seedFixture));
  });
});

describe("the seed contract check fails when the registry drifts from a seed", () => {
  const granted = entry("marketplace.license.granted.v1", "seed 000 §2.0");

  it("names the wire type and the seed field when a field is renamed", () => {
    const renamed = withSchema(granted.wireType, (schema) => {
      const { courseId, ...rest } = schema.properties;
      return {
        ...schema,
        properties: { ...rest, courseKey: courseId },
        required: schema.required.map((f: string) => (f === "courseId" ? "courseKey" : f)),
      };
    });
    expect(checkEvent(granted, renamed)).toEqual([
      'marketplace.license.granted.v1 (seed 000 §2.0): seed field "courseId" → our "courseId": missing from the registry\'s payload schema',
    ]);
  });

  it("finds a renamed field under a mapping (seed 002's snake_case) and one nested in an array (seed 004)", () => {
    const placed = entry("marketplace.order.placed.v1", "seed 002 Orders Context");
    const noTotal = withSchema(placed.wireType, (schema) => ({ ...schema, properties: { ...schema.properties, total: undefined } }));
    expect(checkEvent(placed, noTotal)).toEqual([
      expect.stringMatching(/^marketplace\.order\.placed\.v1 .*"total_amount" → our "total": missing/),
    ]);

    const paid = entry("marketplace.order.paid.v1", "seed 004 EVENT 6");
    const noBucket = withSchema(paid.wireType, (schema) => {
      const items = schema.properties.paymentBreakdown.items;
      const { bucket, ...rest } = items.properties;
      return {
        ...schema,
        properties: {
          ...schema.properties,
          paymentBreakdown: { ...schema.properties.paymentBreakdown, items: { ...items, properties: rest } },
        },
      };
    });
    expect(checkEvent(paid, noBucket)).toEqual([
      expect.stringContaining('"payment_breakdown[].type" → our "paymentBreakdown[].bucket": missing'),
    ]);
  });

  it("reports a required seed field made optional, a type that no longer fits and a value the seed does not list", () => {
    const optional = withSchema(granted.wireType, (schema) => ({
      ...schema,
      required: schema.required.filter((f: string) => f !== "orderId"),
    }));
    expect(checkEvent(granted, optional)).toEqual([
      expect.stringContaining('"orderId" → our "orderId": the seed requires it, ours is optional'),
    ]);

    const seatsAsText = withSchema(granted.wireType, (schema) => ({
      ...schema,
      properties: { ...schema.properties, seatTotal: { type: "string" } },
    }));
    expect(checkEvent(granted, seatsAsText)).toEqual([
      expect.stringContaining('"seatTotal" → our "seatTotal": the seed says number, ours is string'),
    ]);

    const revoked = entry("enrollment.revoked.v1", "seed 000 §2.4");
    const newReason = withSchema(revoked.wireType, (schema) => {
      const [one, aggregate] = schema.oneOf;
      const reason = { anyOf: [...one.properties.reason.anyOf, { const: "expired", type: "string" }] };
      return { ...schema, oneOf: [{ ...one, properties: { ...one.properties, reason } }, aggregate] };
    });
    expect(checkEvent(revoked, newReason)).toEqual([
      expect.stringContaining('"reason" → our "reason": ours may send expired, which the seed does not list'),
    ]);
  });

  it("reports a partition key that no longer keeps the seed's order", () => {
    const byCourse: KeyOf = (type, payload) => (type === "enrollment.completed.v1" ? String(payload.courseId) : keyOf(type, payload));
    expect(checkPartitionKeys(seedFixture, byCourse)).toEqual([
      "enrollment.completed.v1 (seed 000 §2.2): partitioned by courseId, but seed 000 §7 orders by userId",
    ]);
  });

  it("reports a wire type the registry dropped", () => {
    const dropped = withSchema("enrollment.accessed.v1", () => undefined);
    expect(checkFixture(seedFixture, dropped)).toContain("enrollment.accessed.v1 (seed 000 §2.5): the registry has no such wire type");
  });

  it("holds a consumed event the other way round: we must accept whatever the seed allows", () => {
    const consumed: SeedEvent = {
      wireType: "progress.completion.recorded.v1",
      seed: "a seed",
      direction: "consumed",
      fields: {
        userId: "string",
        courseId: "string",
        completionRecordId: "string",
        completedAt: "date-time",
        enrollmentId: { type: "string", optional: true },
        score: "number",
      },
      mappings: [{ seedField: "score", absent: true, why: "not used by this engine: it completes the enrollment whatever the score" }],
    };
    expect(checkEvent(consumed, live)).toEqual([]);
    const strict = withSchema(consumed.wireType, (schema) => ({
      ...schema,
      additionalProperties: false,
      required: [...schema.required, "enrollmentId"],
    }));
    expect(checkEvent(consumed, strict)).toEqual([
      expect.stringContaining('"enrollmentId" → our "enrollmentId": the seed makes it optional, ours requires it'),
      expect.stringContaining('seed field "score" is marked absent, but our schema refuses fields it does not list'),
    ]);
  });

  it("refuses a fixture mapping that names a field the seed does not have", () => {
    const typo: SeedEvent = { ...granted, mappings: [{ seedField: "course_id", ourField: "courseId", why: "a typo in the fixture" }] };
    expect(checkEvent(typo, live)).toEqual([
      expect.stringContaining('the fixture maps seed field "course_id", which the seed\'s payload does not have'),
    ]);
  });
});
