import { Type } from "@sinclair/typebox";
import { describe, expect, it } from "vitest";
import { defineEvent, envelope, EventRegistry, nextVersionId } from "./registry.js";

const Shape = { thingId: Type.String(), ownerId: Type.String() };
const ThingMade = defineEvent({
  type: "test.thing.made.v1",
  source: "test",
  aggregateType: "Thing",
  retentionClass: "operational",
  payload: Type.Object(Shape, { additionalProperties: false }),
  aggregateId: (p) => p.thingId,
  partitionKey: (p) => p.ownerId,
});
// The producer writes the new version; the old one is derived from it.
const ThingMadeV2 = defineEvent({
  type: "test.thing.made.v2",
  source: "test",
  aggregateType: "Thing",
  retentionClass: "operational",
  payload: Type.Object({ ...Shape, colour: Type.String() }, { additionalProperties: false }),
  aggregateId: (p) => p.thingId,
  partitionKey: (p) => p.ownerId,
  previous: { definition: ThingMade, toPrevious: ({ colour: _, ...v1 }: { colour: string }) => v1 },
});
// The producer still writes the old version; the new one is upcast from it.
const ThingSold = defineEvent({ ...ThingMade, type: "test.thing.sold.v1" });
const ThingSoldV2 = defineEvent({
  ...ThingMadeV2,
  type: "test.thing.sold.v2",
  previous: { definition: ThingSold, fromPrevious: (v1: { thingId: string; ownerId: string }) => ({ ...v1, colour: "unknown" }) },
});

const at = { eventId: "evt_1", occurredAt: new Date("2026-03-01T10:00:00Z"), tenantId: "ten_a" };
const context = { correlationId: "ord_1", causationId: "evt_0", metadata: { requestId: "req_1" } };
const registry = () => new EventRegistry().register(ThingMade, ThingMadeV2, ThingSold, ThingSoldV2);

describe("dual publish of a wire type's two versions", () => {
  it("publishes the old version first and the new right after it, one aggregate, key, correlation and time", () => {
    const made = envelope(ThingMadeV2, { thingId: "t1", ownerId: "u1", colour: "red" }, at, context);
    const [v1, v2] = registry().withEveryVersion([made]);
    expect([v1!.type, v2!.type]).toEqual(["test.thing.made.v1", "test.thing.made.v2"]);
    expect(v1!.payload).toEqual({ thingId: "t1", ownerId: "u1" });
    expect(v2!.payload).toEqual({ thingId: "t1", ownerId: "u1", colour: "red" });
    for (const event of [v1!, v2!]) {
      expect(event).toMatchObject({
        partitionKey: "u1",
        aggregateId: "t1",
        correlationId: "ord_1",
        causationId: "evt_0",
        tenantId: "ten_a",
      });
      expect(event.metadata).toEqual({ requestId: "req_1" });
      expect(event.occurredAt).toBe("2026-03-01T10:00:00.000Z");
    }
    // The old version keeps the producer's id; the new one's is derived, so a retry makes the same pair.
    expect([v1!.eventId, v2!.eventId]).toEqual(["evt_1", "evt_1.v2"]);
    expect(
      registry()
        .withEveryVersion([made])
        .map((e) => e.eventId),
    ).toEqual(["evt_1", "evt_1.v2"]);
  });

  it("upcasts an old version its producer still writes into the new one", () => {
    const sold = envelope(ThingSold, { thingId: "t1", ownerId: "u1" }, at, context);
    const published = registry().withEveryVersion([sold]);
    expect(published.map((e) => [e.type, e.eventId, e.payload])).toEqual([
      ["test.thing.sold.v1", "evt_1", { thingId: "t1", ownerId: "u1" }],
      ["test.thing.sold.v2", "evt_1.v2", { thingId: "t1", ownerId: "u1", colour: "unknown" }],
    ]);
  });

  it("keeps each pair together and the envelopes' order", () => {
    const made = envelope(ThingMadeV2, { thingId: "t1", ownerId: "u1", colour: "red" }, at, context);
    const sold = envelope(ThingSold, { thingId: "t1", ownerId: "u1" }, { ...at, eventId: "evt_2" }, context);
    expect(
      registry()
        .withEveryVersion([made, sold])
        .map((e) => e.eventId),
    ).toEqual(["evt_1", "evt_1.v2", "evt_2", "evt_2.v2"]);
  });

  it("refuses, as a producer bug, the version that is derived from the other", () => {
    const v1 = envelope(ThingMade, { thingId: "t1", ownerId: "u1" }, at, context);
    expect(() => registry().withEveryVersion([v1])).toThrow(/publish test\.thing\.made\.v2/);
    const v2 = envelope(ThingSoldV2, { thingId: "t1", ownerId: "u1", colour: "red" }, at, context);
    expect(() => registry().withEveryVersion([v2])).toThrow(/publish that one/);
  });

  it("publishes a type alone once its other version is no longer declared", () => {
    const only = new EventRegistry().register(ThingMade);
    const v1 = envelope(ThingMade, { thingId: "t1", ownerId: "u1" }, at, context);
    expect(only.withEveryVersion([v1])).toEqual([v1]);
  });

  it("refuses at registration a next version without its previous one, or without a way to derive one from the other", () => {
    expect(() => new EventRegistry().register(ThingMadeV2)).toThrow(/register test\.thing\.made\.v1 first/);
    const both = defineEvent({
      ...ThingMadeV2,
      previous: { definition: ThingMade, toPrevious: (p: any) => p, fromPrevious: (p: any) => p },
    });
    expect(() => new EventRegistry().register(ThingMade, both)).toThrow(/exactly one/);
  });

  it("names the derived id after the version it carries", () => {
    expect(nextVersionId("evt_0194ab", "marketplace.license.granted.v2")).toBe("evt_0194ab.v2");
  });
});
